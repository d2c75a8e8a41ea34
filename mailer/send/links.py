"""Signed links to the preference center: unsubscribe (/u/TOKEN) and preferences (/p/TOKEN).

A token is HMAC-signed with NEWSLETTER_SECRET (itsdangerous) and carries only the
subscriber's internal number and the issue: no email address, no student data. Anyone
without the secret can neither forge one nor change the number in it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

from common.errors import ConfigError

UNSUBSCRIBE, PREFERENCES = "u", "p"
DEMO_SECRET = "demo-secret-not-for-production"
DEMO_BASE_URL = "http://127.0.0.1:8000"


class BadToken(Exception):
    """A link token that was tampered with, truncated, or signed with another secret."""


@dataclass(frozen=True)
class LinkSigner:
    secret: str
    base_url: str

    @classmethod
    def from_env(cls, demo: bool = False) -> "LinkSigner":
        """From NEWSLETTER_SECRET and NEWSLETTER_BASE_URL; `demo` allows local defaults (outbox only)."""
        secret = os.environ.get("NEWSLETTER_SECRET") or (DEMO_SECRET if demo else "")
        base_url = os.environ.get("NEWSLETTER_BASE_URL") or (DEMO_BASE_URL if demo else "")
        if len(secret) < 16:
            raise ConfigError("NEWSLETTER_SECRET", "is not set or shorter than 16 characters",
                              "export NEWSLETTER_SECRET=$(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
                              " and keep it the same for the preference center")
        if not base_url.startswith(("https://", "http://")):
            raise ConfigError("NEWSLETTER_BASE_URL", "is not set to the preference center's public address",
                              "export NEWSLETTER_BASE_URL=https://newsletter.example.org")
        return cls(secret, base_url.rstrip("/"))

    def _serializer(self, purpose: str) -> URLSafeSerializer:
        return URLSafeSerializer(self.secret, salt=f"newsletter-link-{purpose}")

    def token(self, purpose: str, subscriber_id: int, issue: str) -> str:
        return self._serializer(purpose).dumps([subscriber_id, issue])

    def verify(self, purpose: str, token: str) -> tuple[int, str]:
        """(subscriber id, issue) from a token, or BadToken."""
        try:
            subscriber_id, issue = self._serializer(purpose).loads(token)
        except (BadSignature, ValueError, TypeError) as e:
            raise BadToken(str(e)) from None
        if not isinstance(subscriber_id, int) or not isinstance(issue, str):
            raise BadToken("unexpected token contents")
        return subscriber_id, issue

    def url(self, purpose: str, subscriber_id: int, issue: str) -> str:
        return f"{self.base_url}/{purpose}/{self.token(purpose, subscriber_id, issue)}"
