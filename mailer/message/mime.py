"""Final message bytes, built per language once and finished per recipient by a string join.

Python's email package costs ~2.7 ms per message; this builds the shared headers and the
two body parts' split points once per language, then per recipient only fills tokens,
base64-encodes the two parts (C speed) and joins bytes. The result is ordinary
multipart/alternative MIME that any parser reads back (the tests parse it).
"""
from __future__ import annotations

import base64
import hashlib
import html as html_escaping
import struct
from dataclasses import dataclass
from email.utils import format_datetime
from functools import lru_cache

from blocks import tokens
from blocks.render import RenderedEmail
from mailer.message.headers import (CRLF, HeaderInjection, address, encoded, list_headers, recipient_headers,
                                    safe_header_value)

__all__ = ["Envelope", "MessageTemplate", "HeaderInjection", "check_envelope"]


def check_envelope(envelope: "Envelope") -> None:
    """HeaderInjection if anything per-recipient that goes into a header has a line break."""
    address(envelope.to_name, envelope.to_email, "recipient")
    recipient_headers(message_id=envelope.message_id, list_unsubscribe=envelope.list_unsubscribe)


class _Segments:
    """Text split once at its tokens, so filling it for a recipient is a single join."""

    def __init__(self, text: str):
        self.parts = tokens.PATTERN.split(text)
        self.names = tokens.PATTERN.findall(text)

    def fill(self, values: dict[str, str]) -> str:
        out = [self.parts[0]]
        for name, part in zip(self.names, self.parts[1:]):
            out.append(values[name])
            out.append(part)
        return "".join(out)


def _base64_lines(data: bytes) -> bytes:
    """`data` in base64, in lines of 76 characters joined by CRLF (RFC 2045).

    The lines are cut by one struct call rather than a Python slice per line: a message is
    ~1,300 lines, and this is the largest per-recipient cost after the base64 itself."""
    encoded_data = base64.b64encode(data)
    full = len(encoded_data) // 76
    lines = _line_cutter(full).unpack_from(encoded_data)
    if len(encoded_data) % 76:
        lines = (*lines, encoded_data[full * 76:])
    return b"\r\n".join(lines)


@lru_cache(maxsize=32)
def _line_cutter(lines: int) -> struct.Struct:
    """Cuts the first `lines` 76-character lines off a bytes object. Kept per size (parts of
    one edition differ by a line or two between families); ~40 KB each, ~20 us to make."""
    return struct.Struct("76s" * lines)


@dataclass(frozen=True)
class Envelope:
    """What differs per recipient."""

    to_email: str
    to_name: str | None
    message_id: str
    values: dict[str, str]           # token -> value
    list_unsubscribe: str            # the full List-Unsubscribe value: <https://...>, <mailto:...>

    def headers(self) -> list[tuple[str, str]]:
        return recipient_headers(message_id=self.message_id, list_unsubscribe=self.list_unsubscribe)


class MessageTemplate:
    """One language's message, ready to be finished for each recipient."""

    def __init__(self, email: RenderedEmail, *, sender: tuple[str, str], reply_to: str | None,
                 list_id: str, date, extra_headers: dict[str, str] | None = None):
        self.email = email
        self.lang = email.lang
        self.sender, self.reply_to, self.list_id = sender, reply_to, list_id
        self.email_sender = sender[1]            # envelope sender (MAIL FROM)
        boundary = "=_nl_" + hashlib.sha256(email.html.encode()).hexdigest()[:24]
        for name, value in [("sender name", sender[0]), ("sender address", sender[1]),
                            ("reply-to", reply_to or ""), ("list id", list_id), *(extra_headers or {}).items()]:
            safe_header_value(value, name)
        self.list_headers = list_headers(lang=email.lang, list_id=list_id)
        shared = [
            ("From", address(sender[0], sender[1], "sender")),
            *([("Reply-To", reply_to)] if reply_to else []),
            ("Subject", encoded(safe_header_value(email.subject, "subject"))),
            ("Date", format_datetime(date)),
            ("MIME-Version", "1.0"),
            *self.list_headers,
            *(extra_headers or {}).items(),
            ("Content-Type", f'multipart/alternative; boundary="{boundary}"'),
        ]
        self._shared = "".join(f"{name}: {value}{CRLF}" for name, value in shared)
        part = (f"{CRLF}--{boundary}{CRLF}Content-Type: {{}}; charset=utf-8{CRLF}"
                f"Content-Transfer-Encoding: base64{CRLF}{CRLF}")
        self._text_head = part.format("text/plain").encode()
        self._html_head = part.format("text/html").encode()
        self._end = f"{CRLF}--{boundary}--{CRLF}".encode()
        self._text = _Segments(email.text)
        self._html = _Segments(email.html)

    def headers_for(self, envelope: Envelope) -> str:
        own = [("To", address(envelope.to_name, envelope.to_email, "recipient")), *envelope.headers()]
        return "".join(f"{name}: {value}{CRLF}" for name, value in own) + self._shared

    def render(self, envelope: Envelope) -> bytes:
        text = self._text.fill(envelope.values).encode()
        html = self._html.fill(escaped(envelope.values)).encode()
        return b"".join((self.headers_for(envelope).encode(), b"\r\nThis is a multipart message in MIME format.",
                         self._text_head, _base64_lines(text), self._html_head, _base64_lines(html), self._end))

    def text_for(self, values: dict[str, str]) -> str:
        return self._text.fill(values)

    def html_for(self, values: dict[str, str]) -> str:
        return self._html.fill(escaped(values))

    @property
    def provider_html(self) -> str:
        """The HTML with its own tokens (__FIRST_NAME_HTML__...), for providers that fill one set
        of substitutions into both parts: the HTML ones get escaped values (`provider_values`)."""
        if not hasattr(self, "_provider_html"):
            self._provider_html = self._html.fill({token: html_token(token) for token in self._html.names})
        return self._provider_html


def html_token(token: str) -> str:
    return token[:-2] + "_HTML__"


def escaped(values: dict[str, str]) -> dict[str, str]:
    """Values as HTML text: a name is data, never markup (links and quotes included)."""
    return {token: html_escaping.escape(value, quote=True) for token, value in values.items()}


def provider_values(values: dict[str, str]) -> dict[str, str]:
    """Substitutions for both parts: raw for the text part, escaped for the HTML part."""
    return {**values, **{html_token(token): value for token, value in escaped(values).items()}}
