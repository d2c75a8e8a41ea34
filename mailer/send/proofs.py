"""Proofs: the real message of each language sent to staff before the families get it.

A proof is built exactly as a family's copy (same rendering, same headers, links signed the
same way) for a made-up family number 0, so its links open the preference center's "not
valid" page and can never unsubscribe anyone. The subject is marked "[TEST]"; nothing goes
into the send log. Each proof is noted in reports/<issue>/proofs.jsonl, which the
confirmation before a real send shows ("Proofs sent: en, es to staff@... at 14:02").
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

from mailer.backends.backend import Backend, Outgoing, SendResult
from mailer.message.mime import MessageTemplate
from mailer.store.row_types import Recipient

PROOF_ID = 0
LOG = "proofs.jsonl"


@dataclass(frozen=True)
class Proof:
    lang: str
    to: str
    result: SendResult


def send_proofs(sender, backend: Backend, langs: list[str], addresses: list[str]) -> list[Proof]:
    """One message per language to each address, through `backend` (not the send log)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d%H%M%S")
    proofs: list[Proof] = []
    messages: list[tuple[str, Outgoing]] = []
    for lang in langs:
        base = sender.template(lang)
        template = MessageTemplate(replace(base.email, subject=f"[TEST] {base.email.subject}"), sender=base.sender,
                                   reply_to=base.reply_to, list_id=base.list_id, date=sender.date)
        for number, address in enumerate(addresses, 1):
            family = Recipient(PROOF_ID, address, "Test Family", lang, (), ())
            message_id = f"<{sender.issue.key.replace('/', '.')}.proof-{lang}-{number}-{stamp}@{sender.personalizer.domain}>"
            envelope = sender.personalizer.envelope(family, lang, message_id)
            messages.append((lang, Outgoing(number, address, template, envelope, {
                "issue": sender.issue.key, "lang": lang, "segment": "proof", "subscriber": "proof"})))
    with backend:
        results = {r.subscriber_id: r for lang, m in messages for r in backend.send([m])}
        _again_if_refused_for_now(backend, messages, results)
    for lang, message in messages:
        proofs.append(Proof(lang, message.email, results[message.subscriber_id]))
    return proofs


def _again_if_refused_for_now(backend: Backend, messages: list[tuple[str, Outgoing]], results: dict) -> None:
    """Proofs refused for now (SMTP 451 greylisting, 421, 452) are tried again here, on the
    backend's retry schedule: a few staff addresses, and no send log to queue them in."""
    retry = getattr(backend, "retry", None)
    for attempt in range(1, (retry.retries if retry else 0) + 1):
        again = [m for _, m in messages if results[m.subscriber_id].temporary]
        if not again:
            return
        retry.sleep(retry.wait_before(attempt))
        results.update((r.subscriber_id, r) for m in again for r in backend.send([m]))


def note_proofs(folder: Path, proofs: list[Proof], backend: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with (folder / LOG).open("a", encoding="utf-8") as log:
        for proof in proofs:
            log.write(json.dumps({"at": now, "lang": proof.lang, "to": proof.to, "backend": backend,
                                  "status": proof.result.status, "detail": proof.result.detail}) + "\n")


def proofs_sent(folder: Path) -> list[dict]:
    """Proofs noted for this issue, oldest first (delivered ones only)."""
    path = folder / LOG
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [row for row in rows if row.get("status") in ("sent", "queued")]
