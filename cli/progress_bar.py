"""Progress of a send on the terminal: a bar with rate and time left, or plain lines in a log."""
from __future__ import annotations

import sys
import time

import click


class Progress:
    """`update(n)` as results come in. On a terminal: click's progress bar with families per
    second and ETA; otherwise (cron, CI, a log file) one line per tenth of the way."""

    def __init__(self, total: int, label: str = "Sending"):
        self.total, self.label, self.done = max(total, 0), label, 0
        self._started = time.monotonic()
        self._next_line = 0.1
        self._bar = None
        if total and sys.stderr.isatty():
            self._bar = click.progressbar(length=total, label=label, show_eta=True, show_pos=True, file=sys.stderr,
                                          item_show_func=lambda _: self._rate())
            self._bar.__enter__()

    def _rate(self) -> str:
        elapsed = time.monotonic() - self._started
        return f"{self.done / elapsed:,.0f}/s" if elapsed > 0 and self.done else ""

    def update(self, n: int) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n, current_item=self.done)
        elif self.total and self.done >= self._next_line * self.total:
            while self._next_line * self.total <= self.done:
                self._next_line += 0.1
            click.echo(f"{self.label}: {self.done:,}/{self.total:,} ({100 * self.done / self.total:.0f}%)"
                       + (f", {self._rate()}" if self._rate() else ""), err=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
