"""One retry policy for every backend (tenacity): what is retried, how long to wait, when to stop.

Only `TransientError` is retried here (429, 5xx, timeouts, dropped connections): the
request as a whole failed for now. A `TemporaryRefusal` (an SMTP 4xx for one recipient:
451 greylisting, 421, 452) is not retried in place, where it would hold its batch and the
ones behind it: the sender sends that family back to the queue with a not-before time from
this same schedule (`wait_before`), for at most `retries` more tries.
The wait doubles from `delay` (2, 4, 8 ... seconds), or is what the provider asked for
(`retry_after`, e.g. SendGrid's X-RateLimit-Reset). Two cases stop the whole run instead
(SendingStopped), since every later family would fail the same way:
- a provider that asks to wait longer than `max_wait` ("rerun after 14:05"), instead of a
  send that sleeps for a day;
- a server that can't be reached `unreachable_attempts` times in a row (refused, no such
  host, connect timeout), instead of trying each family for minutes.
Everything else (ConfigError, ProviderError) passes straight through.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt

from common.errors import SendingStopped, TemporaryRefusal, TransientError

T = TypeVar("T")


@dataclass
class RetryPolicy:
    retries: int = 5                  # attempts after the first
    delay: float = 2.0                # first wait, doubled each time
    max_wait: float = 300.0           # never sleep longer than this for one retry
    unreachable_attempts: int = 3     # connection failures in a row that stop the run
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    _retrying: Retrying | None = field(default=None, init=False, repr=False, compare=False)

    def wait_before(self, attempt: int) -> float:
        """The wait before try `attempt + 1` after `attempt` tries (2, 4, 8 ... seconds)."""
        return min(self.max_wait, self.delay * 2 ** (attempt - 1))

    @property
    def longest_wait(self) -> float:
        """The longest wait of the schedule (before the last try)."""
        return self.wait_before(self.retries) if self.retries else 0.0

    @property
    def total_wait(self) -> float:
        """All the waits of the schedule together (2 + 4 + 8 + 16 + 32 = 62 s by default)."""
        return sum(self.wait_before(attempt) for attempt in range(1, self.retries + 1))

    def call(self, function: Callable[..., T], *args) -> T:
        """`function(*args)`, retried on TransientError; the last error is raised as it was,
        or as SendingStopped when going on is pointless."""
        if self._retrying is None:
            self._retrying = Retrying(retry=retry_if_exception(_retried_in_place),
                                      stop=stop_after_attempt(self.retries + 1) | self._asked_too_long
                                      | self._unreachable, wait=self._wait, sleep=self.sleep, reraise=True)
        try:
            return self._retrying(function, *args)
        except TransientError as error:
            raise self._stopping(error) or error

    def _stopping(self, error: TransientError) -> SendingStopped | None:
        message = error.problems[0].message
        if error.retry_after is not None and error.retry_after > self.max_wait:
            now = dt.datetime.now().astimezone()
            at = now + dt.timedelta(seconds=error.retry_after)
            when = f"{at:%H:%M}" if at.date() == now.date() else f"{at:%Y-%m-%d %H:%M}"
            return SendingStopped(f"the provider asks to wait until {when} ({message})",
                                  f"rerun the same command after {when}", status=error.status)
        if error.unreachable:
            return SendingStopped(f"cannot reach the server: {message}",
                                  "check the host and port settings and that the server is up, then rerun "
                                  "the same command", status=error.status)
        return None

    def _unreachable(self, state) -> bool:
        error = state.outcome.exception()
        return getattr(error, "unreachable", False) and state.attempt_number >= self.unreachable_attempts

    def _wait(self, state) -> float:
        error = state.outcome.exception()
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return max(0.0, asked)
        return self.delay * 2 ** (state.attempt_number - 1)

    def _asked_too_long(self, state) -> bool:
        asked = getattr(state.outcome.exception(), "retry_after", None)
        return asked is not None and asked > self.max_wait


def _retried_in_place(error: BaseException) -> bool:
    return isinstance(error, TransientError) and not isinstance(error, TemporaryRefusal)
