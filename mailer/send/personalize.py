"""Per-recipient values for a rendered email: signed links, greeting, headers.

No re-rendering here: the language's MessageTemplate is filled with these values by a join.
"""
from __future__ import annotations

import re
import unicodedata
from email.errors import HeaderParseError
from email.header import decode_header, make_header
from pathlib import Path
from urllib.parse import quote

from blocks import tokens
from blocks.i18n.chrome import greeting

from mailer.send.links import PREFERENCES, UNSUBSCRIBE, LinkSigner
from mailer.message.mime import Envelope


MAX_NAME = 100          # characters of a display name in To: (a header line stays far under 998)
_SPACES = re.compile(r"\s+")


def clean_name(name: str | None) -> str:
    """A roster name fit for a header and a greeting: RFC 2047 encoded words decoded first (a
    name written as =?utf-8?q?...=0D=0A...?= would otherwise reach To: as text a mail program
    decodes into a line break), then no control or format characters (line breaks from Alt+Enter
    cells, NUL, ESC, bidi overrides), one space between words, at most MAX_NAME characters, cut
    at a word."""
    if not name:
        return ""
    name = _decoded(name)
    kept = "".join(" " if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") else c for c in name)
    kept = _SPACES.sub(" ", kept).strip()
    if len(kept) > MAX_NAME:
        kept = kept[:MAX_NAME].rsplit(" ", 1)[0] or kept[:MAX_NAME]
    return kept


def _decoded(name: str) -> str:
    """`name` with its encoded words decoded; a malformed one loses its markers (never kept as an
    encoded word a mail program would decode)."""
    if "=?" not in name:
        return name
    try:
        name = str(make_header(decode_header(name)))
    except (HeaderParseError, LookupError, UnicodeDecodeError, ValueError):
        pass
    return name.replace("=?", " ").replace("?=", " ")


def first_name(name: str | None) -> str:
    return name.split()[0] if name and name.split() else ""


class Personalizer:
    """Makes the Envelope of each recipient of one issue."""

    def __init__(self, issue_key: str, signer: LinkSigner, domain: str, web_url: str, mailto: str = "",
                 library: Path | None = None):
        # issue_key: "<publication>/<issue>" (blocks.model.Issue.key), carried by the links' tokens
        self.issue, self.signer, self.domain, self.web_url = issue_key, signer, domain, web_url
        self.mailto = mailto                  # NEWSLETTER_UNSUBSCRIBE_MAILTO: a mailto: List-Unsubscribe too
        self.library = library                # the issue's library: the district's reviewed greeting (chrome)
        self._greetings: dict[str, str] = {}

    def message_id(self, subscriber_id: int, attempt: int = 0) -> str:
        """Stable per (issue, family): a re-sent duplicate after a crash carries the same id."""
        suffix = f".r{attempt}" if attempt else ""
        return f"<{self.issue.replace('/', '.')}.{subscriber_id}{suffix}@{self.domain}>"

    def envelope(self, recipient, lang: str, message_id: str) -> Envelope:
        unsubscribe = self.signer.url(UNSUBSCRIBE, recipient.id, self.issue)
        full_name = clean_name(recipient.name)
        name = first_name(full_name)
        values = {
            tokens.UNSUBSCRIBE_URL: unsubscribe,
            tokens.PREFERENCES_URL: self.signer.url(PREFERENCES, recipient.id, self.issue),
            tokens.FIRST_NAME: name,
            tokens.GREETING: greeting(lang, name, self.library) if name else self._neutral_greeting(lang),
            tokens.WEB_URL: self.web_url,
        }
        list_unsubscribe = f"<{unsubscribe}>"
        if self.mailto:
            token = unsubscribe.rsplit("/", 1)[1]
            list_unsubscribe += f", <mailto:{self.mailto}?subject={quote('unsubscribe ' + token)}>"
        return Envelope(recipient.email, full_name or None, message_id, values, list_unsubscribe)

    def _neutral_greeting(self, lang: str) -> str:
        if lang not in self._greetings:
            self._greetings[lang] = greeting(lang, None, self.library)
        return self._greetings[lang]
