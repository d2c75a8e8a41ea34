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

import os
import re
from dataclasses import dataclass
from functools import lru_cache

from itsdangerous import BadSignature, Serializer, URLSafeSerializer
from itsdangerous.encoding import base64_encode

from common.errors import ConfigError

UNSUBSCRIBE, PREFERENCES = "u", "p"
DEMO_SECRET = "demo-secret-not-for-production"
DEMO_BASE_URL = "http://127.0.0.1:8000"
SECRET, PREVIOUS = "NEWSLETTER_SECRET", "NEWSLETTER_SECRET_PREVIOUS"
SERVER_MINIMUM = 32         # the preference center's rule
PREVIOUS_MINIMUM = 16       # what secrets made before the 32-character rule had (still accepted as previous)
MIN_DISTINCT = 8            # fewer different characters than this is not random ("aaaa...", "abab...")
SECRET_HINT = ("export NEWSLETTER_SECRET=$(python -c 'import secrets; print(secrets.token_urlsafe(32))') "
               "and use the same one for sends and the preference center")


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


def secret_problem(secret: str, minimum: int = SERVER_MINIMUM) -> str | None:
    """Why `secret` cannot sign links (for ConfigError's message), or None if it can."""
    if not secret:
        return "is not set"
    if secret == DEMO_SECRET:
        return "is the public demo secret: anyone could sign links with it and unsubscribe any family"
    if len(secret) < minimum:
        return f"is {len(secret)} characters long; it must be at least {minimum} random characters"
    if len(set(secret)) < MIN_DISTINCT:
        return f"is not random: it has only {len(set(secret))} different characters"
    return None


def _previous_from_env() -> tuple[str, ...]:
    """Old secrets still accepted: held to the rule they were made under (16), never the demo one."""
    previous = tuple(s for s in re.split(r"[\s,]+", os.environ.get(PREVIOUS, "")) if s)
    for number, secret in enumerate(previous, 1):
        problem = secret_problem(secret, PREVIOUS_MINIMUM)
        if problem:
            raise ConfigError(PREVIOUS, f"secret {number} {problem}",
                              f"list only secrets that really signed links, separated by commas; {SECRET_HINT}",
                              outcome="nothing was started")
    return previous


@dataclass(frozen=True)
class LinkSigner:
    secret: str
    base_url: str
    previous: tuple[str, ...] = ()       # older secrets: still accepted, never used to sign

    @classmethod
    def from_env(cls, demo: bool = False) -> "LinkSigner":
        """For sends: NEWSLETTER_SECRET and NEWSLETTER_BASE_URL; `demo` allows local defaults (outbox only)."""
        secret = os.environ.get(SECRET) or (DEMO_SECRET if demo else "")
        base_url = os.environ.get("NEWSLETTER_BASE_URL") or (DEMO_BASE_URL if demo else "")
        problem = secret_problem(secret)          # the same rule as the preference center's
        if problem and not (demo and secret == DEMO_SECRET):
            raise ConfigError(SECRET, problem, SECRET_HINT)
        if not base_url.startswith(("https://", "http://")):
            raise ConfigError("NEWSLETTER_BASE_URL", "is not set to the preference center's public address",
                              "export NEWSLETTER_BASE_URL=https://newsletter.example.org")
        return cls(secret, base_url.rstrip("/"), _previous_from_env())

    @classmethod
    def for_server(cls) -> "LinkSigner":
        """For the preference center: a strong NEWSLETTER_SECRET (see secret_problem), or ConfigError."""
        secret = os.environ.get(SECRET, "")
        problem = secret_problem(secret)
        if problem:
            raise ConfigError(SECRET, problem, f"{SECRET_HINT}; to try the demo on this computer instead: "
                              "python compose.py serve --demo", outcome="the preference center did not start")
        return cls(secret, os.environ.get("NEWSLETTER_BASE_URL", "").rstrip("/"), _previous_from_env())

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
