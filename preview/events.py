"""Server-sent events: every open page hears of each new snapshot as soon as it is made.

The hub keeps only the latest message; a page that was busy or reconnects gets the newest
state at once, which says everything (which frames to reload is decided by their digests),
so nothing is lost by skipping an intermediate version.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator

KEEP_ALIVE_SECONDS = 15.0


class Hub:
    def __init__(self):
        self._changed = threading.Condition()
        self._version, self._message = 0, ""
        self.closed = False

    def publish(self, version: int, message: str) -> None:
        with self._changed:
            self._version, self._message = version, message
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def stream(self, keep_alive: float = KEEP_ALIVE_SECONDS) -> Iterator[str]:
        """text/event-stream chunks: the current state, then each newer one, with keep-alive
        comments so a page that has gone away is noticed."""
        sent = 0
        yield "retry: 1000\n\n"
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self.closed or self._version > sent, timeout=keep_alive)
                if self.closed:
                    return
                version, message = self._version, self._message
            if version > sent:
                sent = version
                yield f"event: update\nid: {version}\ndata: {message}\n\n"
            else:
                yield ": keep-alive\n\n"
