"""One retry policy for every backend (tenacity): what is retried, how long to wait, when to stop.

Only `TransientError` is retried (429, 5xx, SMTP 4xx, timeouts, dropped connections).
The wait doubles from `delay` (2, 4, 8 ... seconds), or is what the provider asked for
(`retry_after`, e.g. SendGrid's X-RateLimit-Reset). A provider that asks for a longer
wait than `max_wait` is not waited for: the request fails now and a rerun picks it up,
instead of a send that sleeps for a day. Everything else (ConfigError, ProviderError)
passes straight through.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from common.errors import TransientError

T = TypeVar("T")


@dataclass
class RetryPolicy:
    retries: int = 5                  # attempts after the first
    delay: float = 2.0                # first wait, doubled each time
    max_wait: float = 300.0           # never sleep longer than this for one retry
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def call(self, function: Callable[..., T], *args) -> T:
        """`function(*args)`, retried on TransientError; the last error is raised as it was."""
        retrying = Retrying(retry=retry_if_exception_type(TransientError),
                            stop=stop_after_attempt(self.retries + 1) | self._asked_too_long,
                            wait=self._wait, sleep=self.sleep, reraise=True)
        return retrying(function, *args)

    def _wait(self, state) -> float:
        error = state.outcome.exception()
        asked = getattr(error, "retry_after", None)
        if asked is not None:
            return max(0.0, asked)
        return self.delay * 2 ** (state.attempt_number - 1)

    def _asked_too_long(self, state) -> bool:
        asked = getattr(state.outcome.exception(), "retry_after", None)
        return asked is not None and asked > self.max_wait
