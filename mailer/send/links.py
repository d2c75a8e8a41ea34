"""Signed links to the preference center: unsubscribe (/u/TOKEN) and preferences (/p/TOKEN).

A token is HMAC-signed with NEWSLETTER_SECRET (itsdangerous) and carries only the
subscriber's internal number and the issue: no email address, no student data. Anyone
without the secret can neither forge one nor change the number in it.

Key rotation: put the old secret in NEWSLETTER_SECRET_PREVIOUS (several: separated by commas)
and a new one in NEWSLETTER_SECRET. New links are signed with the new secret; links in
newsletters already sent, signed with an old one, keep working until you drop it.

Sends and the preference center need the same secret, of at least 32 random characters and
never the public demo secret, which only the outbox demo and `serve --demo` use, on this computer.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, Serializer, URLSafeSerializer
from itsdangerous.encoding import base64_encode

from common.errors import ConfigError
from common.settings import (DEMO_BASE_URL, DEMO_SECRET, SECRET_HINT, Settings,  # noqa: F401 (re-exported)
                             secret_problem)

UNSUBSCRIBE, PREFERENCES = "u", "p"
SECRET = "NEWSLETTER_SECRET"


class _LinkSerializer(URLSafeSerializer):
    """itsdangerous's URL-safe serializer, minus its zlib attempt when signing: a token carries
    a number and an issue name, which compression shortens by a few characters at most, and
    zlib.compress was half the cost of a token (two per family, 10,000 families: 0.6 s). It
    reads both forms, so links signed either way keep working."""

    def dump_payload(self, obj) -> bytes:
        return base64_encode(Serializer.dump_payload(self, obj))


@lru_cache(maxsize=16)
def _serializer(keys: tuple[str, ...], purpose: str) -> URLSafeSerializer:
    return _LinkSerializer(list(keys), salt=f"newsletter-link-{purpose}")


class BadToken(Exception):
    """A link token that was tampered with, truncated, or signed with another secret."""


@dataclass(frozen=True)
class LinkSigner:
    secret: str
    base_url: str
    previous: tuple[str, ...] = ()       # older secrets: still accepted, never used to sign

    @classmethod
    def for_send(cls, settings: Settings, demo: bool = False) -> "LinkSigner":
        """For sends: NEWSLETTER_SECRET and NEWSLETTER_BASE_URL; `demo` allows local defaults (outbox only)."""
        secret = settings.secret or (DEMO_SECRET if demo else "")
        base_url = settings.base_url or (DEMO_BASE_URL if demo else "")
        problem = secret_problem(secret)          # the same rule as the preference center's
        if problem and not (demo and secret == DEMO_SECRET):
            raise ConfigError(SECRET, problem, SECRET_HINT)
        if not base_url:
            raise ConfigError("NEWSLETTER_BASE_URL", "is not set to the preference center's public address",
                              "export NEWSLETTER_BASE_URL=https://newsletter.example.org")
        return cls(secret, base_url, settings.secret_previous)

    @classmethod
    def for_server(cls, settings: Settings) -> "LinkSigner":
        """For the preference center: a strong NEWSLETTER_SECRET (see secret_problem), or ConfigError."""
        problem = secret_problem(settings.secret)
        if problem:
            raise ConfigError(SECRET, problem, f"{SECRET_HINT}; to try the demo on this computer instead: "
                              "python compose.py serve --demo", outcome="the preference center did not start")
        return cls(settings.secret, settings.base_url, settings.secret_previous)

    @property
    def keys(self) -> list[str]:
        """Every accepted secret, oldest first: itsdangerous signs with the last and verifies with all."""
        return [*reversed(self.previous), self.secret]

    def _serializer(self, purpose: str) -> URLSafeSerializer:
        return _serializer(tuple(self.keys), purpose)

    def token(self, purpose: str, subscriber_id: int, issue: str) -> str:
        return self._serializer(purpose).dumps([subscriber_id, issue])

    def verify(self, purpose: str, token: str) -> tuple[int, str]:
        """(subscriber id, issue) from a token, or BadToken."""
        try:
            subscriber_id, issue = self._serializer(purpose).loads(token)
        except (BadSignature, ValueError, TypeError) as e:
            raise BadToken(str(e)) from None
        if not isinstance(subscriber_id, int) or isinstance(subscriber_id, bool) or not isinstance(issue, str):
            raise BadToken("unexpected token contents")
        return subscriber_id, issue

    def url(self, purpose: str, subscriber_id: int, issue: str) -> str:
        return f"{self.base_url}/{purpose}/{self.token(purpose, subscriber_id, issue)}"
