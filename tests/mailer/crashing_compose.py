"""Run compose.py and die abruptly, like kill -9, part-way through a send (tests only).

    python tests/mailer/crashing_compose.py AFTER POINT compose-args...

POINT "recorded": exit after AFTER results were stored in the send log.
POINT "received": exit when the backend hands over its AFTER-th result, before it is stored.
POINT "posted": exit once the AFTER-th request has been answered, before its results are stored
(a SendGrid request whose outcome the store never learns).
The hooks are monkeypatched here, so the real send loop carries no test code.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import compose  # noqa: E402
from mailer.backends.backend import Backend  # noqa: E402
from mailer.backends.outbox import OutboxBackend  # noqa: E402
from mailer.send.sender import Sender  # noqa: E402

CRASHED = 137          # as a shell reports kill -9 (128 + 9); never 70, compose.py's code for a bug


def crash_after_recorded(after: int) -> None:
    original, seen = Sender._record, [0]

    def record(self, results, lang=None):
        original(self, results, lang)
        seen[0] += len(results)
        if seen[0] >= after:
            os._exit(CRASHED)

    Sender._record = record


def crash_after_received(after: int) -> None:
    def wrap(original):
        def send(self, messages, journal=None):
            for handed, result in enumerate(original(self, messages, journal), 1):
                if handed >= after:
                    os._exit(CRASHED)          # handed over (the .eml exists), not recorded
                yield result
        return send

    for backend in (Backend, OutboxBackend):
        backend.send = wrap(backend.send)


def crash_after_posted(after: int) -> None:
    original, answered = Backend._post_and_parse, [0]

    def post_and_parse(self, payload, messages):
        results = original(self, payload, messages)
        answered[0] += 1
        if answered[0] >= after:
            os._exit(CRASHED)
        return results

    Backend._post_and_parse = post_and_parse


if __name__ == "__main__":
    after, point, *args = sys.argv[1:]
    {"recorded": crash_after_recorded, "received": crash_after_received,
     "posted": crash_after_posted}[point](int(after))
    compose.cli(args)
