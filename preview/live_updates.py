"""Server-sent events: every open page hears of each new snapshot as soon as it is made.

The hub keeps only the latest message; a page that was busy or reconnects gets the newest
state at once, which says everything (which frames to reload is decided by their digests),
so nothing is lost by skipping an intermediate version.

Each page says which languages it shows (/events?page=<id>&lang=..; no lang: all of them): the
builder renders those first (`languages()`) and the others right after. A page's new stream
(other languages ticked, or the page loaded again in its tab) replaces its old one at once.
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator

KEEP_ALIVE_SECONDS = 15.0


class Hub:
    def __init__(self):
        self._changed = threading.Condition()
        self._version, self._message = 0, ""
        self._pages: dict[object, tuple[object, frozenset]] = {}   # page -> (its stream, the languages it shows)
        self.closed = False

    def languages(self) -> set[str] | None:
        """The languages some open page shows; None for all (no page, or one showing all)."""
        with self._changed:
            shown = [langs for _, langs in self._pages.values()]
        return None if not shown or not all(shown) else set().union(*shown)

    def publish(self, version: int, message: str) -> None:
        with self._changed:
            self._version, self._message = version, message
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def stream(self, keep_alive: float = KEEP_ALIVE_SECONDS, languages: Iterable[str] = (),
               page: str | None = None) -> Iterator[str]:
        """text/event-stream chunks: the current state, then each newer one, with keep-alive
        comments so a page that has gone away is noticed (and its languages forgotten)."""
        mine = object()
        key = page or mine
        with self._changed:
            self._pages[key] = (mine, frozenset(languages))
        try:
            yield from self._follow(keep_alive)
        finally:
            with self._changed:
                if self._pages.get(key, (None,))[0] is mine:
                    del self._pages[key]

    def _follow(self, keep_alive: float) -> Iterator[str]:
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
