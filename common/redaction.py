"""Secrets out of what people read: the one function every provider's error path uses.

A provider's (DeepL, Google, SendGrid, an SMTP server) answer may repeat the request, key and
all: a proxy's error page, a debugging endpoint, a server that echoes what it was sent. So an
error never shows a reply as it came: `reply_text` says its status and reason and at most a
short excerpt of the body, and `redact` replaces every configured secret (`Settings.secrets()`,
plus the forms a request carries it in: URL-encoded, JSON-escaped, base64 as SMTP AUTH sends
it) with "[redacted]".

    redact(text, secrets)                    the text with each secret, in any of its forms, hidden
    reply_text(status, reason, body, secrets) "400 Bad Request: <excerpt>", redacted
    not_like(provider, url)                  "<provider> at <url> did not answer like <provider>"
"""
from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

REDACTED = "[redacted]"
SHORTEST = 6          # characters: shorter values (a port, "on") are not hidden, they are not secrets
EXCERPT = 300         # characters of a reply's body an error shows at most


def forms(secret: str) -> set[str]:
    """A secret as a request may carry it: as is, URL-encoded, JSON-escaped, base64."""
    encoded = base64.b64encode(secret.encode()).decode()
    found = {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1], encoded,
             encoded.rstrip("=")}
    return {form for form in found if len(form) >= SHORTEST}


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret (each of its `forms`) replaced by [redacted], longest first."""
    if not text:
        return text
    every = sorted({form for secret in secrets if secret and len(secret) >= SHORTEST for form in forms(secret)},
                   key=len, reverse=True)
    if not every:
        return text
    return re.sub("|".join(re.escape(form) for form in every), REDACTED, text)


def reply_text(status: int | str | None, reason: str, body: bytes | str | None, secrets: Iterable[str]) -> str:
    """A provider's answer for an error message: status and reason, then an excerpt of its body
    (one line, at most EXCERPT characters), every secret redacted."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", errors="replace")
    excerpt = " ".join((body or "").split())
    secrets = list(secrets)
    excerpt = redact(excerpt, secrets)
    if len(excerpt) > EXCERPT:
        excerpt = excerpt[:EXCERPT] + "..."
    head = " ".join(str(part) for part in (status, reason) if part not in (None, ""))
    return redact(head, secrets) + (f": {excerpt}" if excerpt else "")


def not_like(provider: str, url: str) -> str:
    """What to say of an answer that is not in the provider's format (a web page, another API)."""
    return f"{provider} at {url} did not answer like {provider}"
