"""Delivery backends (anymail-style): outbox (.eml files), smtp, sendgrid. See base.py for the
build_payload -> post -> parse contract and retry.py for the one retry policy."""
from __future__ import annotations

from common.settings import Settings
from mailer.backends.backend import Backend, SendResult

NAMES = ("outbox", "smtp", "sendgrid")


def get_backend(name: str, settings: Settings | None = None, **options) -> Backend:
    """The backend called `name`, configured from `settings` (and `options`); the outbox needs none."""
    if name == "outbox":
        from mailer.backends.outbox import OutboxBackend
        return OutboxBackend(**options)
    if name == "smtp":
        from mailer.backends.smtp import SMTPBackend
        return SMTPBackend.from_settings(settings or Settings(), **options)
    if name == "sendgrid":
        from mailer.backends.sendgrid import SendGridBackend
        return SendGridBackend.from_settings(settings or Settings(), **options)
    raise ValueError(f"unknown backend {name!r}; choose one of {', '.join(NAMES)}")


__all__ = ["Backend", "SendResult", "get_backend", "NAMES"]
