"""The outbox backend: one .eml file per recipient, for previews, demos and hand-off.

Files go to <outbox>/<issue>/<lang>/<subscriber id>.eml, each written to a temporary name
and renamed, so a file exists only when it is complete; manifest.jsonl gets one line per
message. After a crash, a file on disk proves the message was delivered.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from mailer.backends.backend import SENT, Backend, Outgoing, SendResult


class OutboxBackend(Backend):
    name = "outbox"
    record_every = 500
    batch_size = 500

    def __init__(self, directory: Path | str = "outbox", issue: str = "issue"):
        self.root = Path(directory) / issue

    def path_for(self, message: Outgoing) -> Path:
        return self.root / message.lang / f"{message.subscriber_id}.eml"

    def open(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._manifest = (self.root / "manifest.jsonl").open("a", encoding="utf-8", buffering=1)

    def close(self) -> None:
        if getattr(self, "_manifest", None):
            self._manifest.close()
            self._manifest = None

    def send(self, messages: list[Outgoing], journal=None) -> Iterator[SendResult]:
        made = set()
        for message in messages:
            path = self.path_for(message)
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            temporary = path.with_suffix(".eml.tmp")
            temporary.write_bytes(message.template.render(message.envelope))
            os.replace(temporary, path)
            self._manifest.write(json.dumps({
                "subscriber": message.subscriber_id, "to": message.email, "lang": message.lang,
                "file": str(path.relative_to(self.root)), "message_id": message.envelope.message_id}) + "\n")
            yield SendResult(message.subscriber_id, SENT, provider_id=message.envelope.message_id)

    def delivered_before(self, uncertain: Iterable[Outgoing]) -> set[int]:
        return {m.subscriber_id for m in uncertain if self.path_for(m).exists()}
