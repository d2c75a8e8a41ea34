"""The one header builder: every header a newsletter message carries, for every backend.

The MIME path (outbox, SMTP) writes all of them; SendGrid takes From/To/Subject/Reply-To
as fields of its own and these `list_headers` and `recipient_headers` as custom headers,
so both paths send the same List-Id, one-click unsubscribe and Message-ID.

Values are checked for line breaks (header injection) and RFC 2047-encoded when not ASCII.
An address with a non-ASCII local part (josé@example.org) is written as UTF-8 (RFC 6532),
which needs a server that offers SMTPUTF8.
"""
from __future__ import annotations

import re
from email.header import Header
from email.utils import formataddr

CRLF = "\r\n"
ONE_CLICK = "List-Unsubscribe=One-Click"
_BAD_HEADER_CHARS = re.compile(r"[\r\n\x00]")


class HeaderInjection(ValueError):
    """A header value with a line break in it: refused so nobody can add headers."""


def safe_header_value(value: str, what: str) -> str:
    if _BAD_HEADER_CHARS.search(value):
        raise HeaderInjection(f"{what} contains a line break; refused to prevent header injection")
    return value


def encoded(value: str) -> str:
    """A header value, RFC 2047-encoded only when it is not plain ASCII."""
    return value if value.isascii() else Header(value, "utf-8").encode(linesep=CRLF)


def address(name: str | None, email: str, what: str) -> str:
    """`Name <email>` for a From/To header; the display name encoded, the address kept as is."""
    safe_header_value(name or "", f"{what} name")
    safe_header_value(email, f"{what} address")
    local, _, domain = email.rpartition("@")
    if local.isascii():
        return formataddr((name or "", email), charset="utf-8")
    # formataddr cannot encode a UTF-8 local part (it raises UnicodeEncodeError): RFC 6532 form.
    return f"{encoded(name)} <{email}>" if name else email


def list_headers(*, lang: str, list_id: str) -> list[tuple[str, str]]:
    """Headers every message of one language shares."""
    return [("Content-Language", lang.replace("_", "-")),
            ("List-Id", safe_header_value(list_id, "list id")),
            ("List-Unsubscribe-Post", ONE_CLICK)]


def recipient_headers(*, message_id: str, list_unsubscribe: str) -> list[tuple[str, str]]:
    """Headers that differ per family: a stable Message-ID and their own unsubscribe link."""
    return [("Message-ID", safe_header_value(message_id, "Message-ID")),
            ("List-Unsubscribe", safe_header_value(list_unsubscribe, "List-Unsubscribe"))]
