"""Value kinds for schemas: each turns one raw YAML value into a clean one, strictly.

Text, links, contacts, choices, numbers and lists are here; dates, times, weekdays and time
zones are in kinds_time.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from babel import Locale, UnknownLocaleError

from blocks import markdown, tokens
from blocks.characters import refuse_invisible
from common.email_check import BadEmail, check_email
from common.problems import FieldError


def describe(value) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    return f"'{value}'"


TODO = "TODO:"     # what `compose.py new` leaves to fill in; never a value


class Kind:
    translatable = False

    def clean(self, value):  # pragma: no cover - interface
        raise NotImplementedError


def as_text(value) -> str:
    """The value as one stripped text, refusing mappings, lists, booleans, template syntax and unknown tokens."""
    if isinstance(value, (dict, list)) or isinstance(value, bool):
        raise FieldError(f"expected text, got {describe(value)}", "write plain text; quote it if it has ': ' in it")
    text = str(value).strip()
    refuse_invisible(text, one_line=False)
    if text.startswith(TODO):
        raise FieldError(f"not filled in yet ({text})",
                         "replace the TODO with the real value (a new issue starts with these to fill in)")
    if "{{" in text or "{%" in text:
        raise FieldError("template syntax ({{ or {%) is not allowed in content", "write plain text")
    unknown = tokens.unknown(text)
    if unknown:
        raise FieldError(f"unknown placeholder {', '.join(sorted(unknown))}",
                         f"the placeholders you may use are {', '.join(tokens.ALL)}")
    return text


@dataclass(frozen=True)
class Text(Kind):
    """One line of text (titles, labels). Translatable unless it is a proper name."""

    translatable: bool = True
    max_length: int = 300

    def clean(self, value) -> str:
        text = as_text(value)
        if "\n" in text:
            raise FieldError("expected one line of text", "put it on one line, or use a field that takes paragraphs")
        refuse_invisible(text, one_line=True)
        if len(text) > self.max_length:
            raise FieldError(f"too long ({len(text)} characters, at most {self.max_length})", "shorten it")
        if "<" in text and re.search(r"<[a-zA-Z/!]", text):
            raise FieldError("HTML tags are not allowed here", "write plain text")
        return text


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
IMAGE_WIDTH = 552          # px: the email's content width (600) less its padding; pictures are shown at most this wide


@dataclass(frozen=True)
class ImageFile(Kind):
    """A picture stored beside the issue: images/<name>.png|jpg|jpeg|webp (the studio resizes uploads
    for email; the loader checks the file is there)."""

    def clean(self, value) -> str:
        text = as_text(value)
        hint = "put the picture in the issue's images/ folder and write e.g. images/forum.jpg (PNG, JPEG or WebP)"
        if not re.fullmatch(r"images/[A-Za-z0-9][A-Za-z0-9._-]*", text) or ".." in text:
            raise FieldError(f"'{text}' is not a picture in the issue's images/ folder", hint)
        if not text.lower().endswith(IMAGE_SUFFIXES):
            raise FieldError(f"'{text}' is not a PNG, JPEG or WebP picture", hint)
        return text


@dataclass(frozen=True)
class Markdown(Kind):
    """Paragraphs with **bold**, *italic*, [links](https://...) and '- ' bullet lists."""

    translatable: bool = True

    def clean(self, value) -> str:
        text = as_text(value)
        problems = markdown.problems(text)
        if problems:
            raise FieldError("; ".join(m for m, _ in problems), "; ".join(dict.fromkeys(h for _, h in problems)))
        return text


@dataclass(frozen=True)
class Url(Kind):
    def clean(self, value) -> str:
        return check_url(as_text(value))


def check_url(url: str) -> str:
    hint = "use a full address starting with https://, http://, mailto: or tel:"
    if not url or any(c.isspace() for c in url):
        raise FieldError(f"'{url}' is not a link (it contains spaces or is empty)", hint)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https", "mailto", "tel"):
        raise FieldError(f"'{url}' is not an http(s), mailto or tel link", hint)
    if parts.scheme in ("http", "https") and "." not in parts.netloc:
        raise FieldError(f"'{url}' has no valid host name", hint)
    if parts.scheme in ("mailto", "tel") and not parts.path:
        raise FieldError(f"'{url}' has nothing after '{parts.scheme}:'", hint)
    return url


@dataclass(frozen=True)
class PhoneNumber:
    display: str
    tel: str            # RFC 3966, e.g. +18605616600;ext=2345

    def __str__(self) -> str:
        return self.display


# "ext. 2345", "ext 2345", "extension 2345", "x2345", "x 2345", "#2345" at the end of a number
_EXTENSION = re.compile(r"\s*,?\s*(?:ext(?:ension)?\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Phone(Kind):
    """A phone number as written, plus a tel: link (US 10-digit numbers get +1); an extension
    ("ext. 2345", "x2345") is shown as "ext. 2345" and dialled with ;ext= (RFC 3966)."""

    def clean(self, value) -> PhoneNumber:
        written = as_text(value)
        extension = _EXTENSION.search(written)
        display = written[:extension.start()].strip() if extension else written
        if not re.fullmatch(r"\+?[\d\s().\-]+", display):
            raise FieldError(f"'{written}' is not a phone number",
                             "write digits with optional spaces, dashes, dots or brackets, e.g. (860) 263-0724, "
                             "and an extension after it as ext. 2345")
        digits = re.sub(r"\D", "", display)
        if display.startswith("+"):
            tel = "+" + digits
        elif len(digits) == 10:
            tel = "+1" + digits
        elif len(digits) == 11 and digits.startswith("1"):
            tel = "+" + digits
        elif 3 <= len(digits) <= 6 and not extension:
            tel = digits  # short codes such as 988 or 211
        else:
            raise FieldError(f"'{display}' does not have a US number's 10 digits",
                             "write the area code too, e.g. (860) 263-0724, or an international number with +")
        if extension:
            return PhoneNumber(f"{display} ext. {extension.group(1)}", f"{tel};ext={extension.group(1)}")
        return PhoneNumber(display, tel)


@dataclass(frozen=True)
class Email(Kind):
    """An address as written, if email-validator takes it (common.email_check, as rosters are checked)."""

    def clean(self, value) -> str:
        text = as_text(value)
        try:
            check_email(text)
        except BadEmail as e:
            raise FieldError(str(e), "write it as name@example.org") from None
        return text


@dataclass(frozen=True)
class Bool(Kind):
    def clean(self, value) -> bool:
        if not isinstance(value, bool):
            raise FieldError(f"expected true or false, got {describe(value)}", "write true or false")
        return value


@dataclass(frozen=True)
class Choice(Kind):
    options: tuple[str, ...] = ()

    def clean(self, value) -> str:
        text = as_text(value).lower()
        if text not in self.options:
            raise FieldError(f"'{text}' is not one of: {', '.join(self.options)}", "pick one of those")
        return text


@dataclass(frozen=True)
class Color(Kind):
    def clean(self, value) -> str:
        text = as_text(value)
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", text):
            raise FieldError(f"'{text}' is not a colour", "write it as #rrggbb, e.g. #1f4e79")
        return text.lower()


@dataclass(frozen=True)
class Language(Kind):
    def clean(self, value) -> str:
        text = as_text(value).replace("-", "_")
        try:
            Locale.parse(text)
        except (UnknownLocaleError, ValueError):
            raise FieldError(f"'{text}' is not a language code Babel knows",
                             "use a code such as en, es, pt, ar, zh_Hans, bs") from None
        return text


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int = 0
    maximum: int = 1000

    def clean(self, value) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not self.minimum <= value <= self.maximum:
            raise FieldError(f"expected a whole number from {self.minimum} to {self.maximum}, got {describe(value)}",
                             "write a number without quotes")
        return value


@dataclass(frozen=True)
class ListOf:
    item: Any
    allow_single: bool = False  # accept one bare value where a list is expected
    translatable = False


@dataclass(frozen=True)
class MapOf:
    """Entries under names the user chooses (schools by id, segments by name), each value of one
    kind; a name must match `names` (`name_what` says what it is, e.g. "school id", and
    `name_example` shows a good one); `example` shows a whole entry."""
    item: Any
    names: re.Pattern
    name_what: str
    name_example: str
    example: str
    translatable = False
