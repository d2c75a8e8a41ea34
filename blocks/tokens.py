"""Per-recipient and per-send values left as plain tokens in rendered emails.

The renderer writes these tokens; the mailer replaces them for each recipient with a
cheap string join (no re-render). Plain __NAME__ tokens survive MJML and CSS inlining
untouched, unlike Jinja syntax inside href attributes.
"""
from __future__ import annotations

import re

UNSUBSCRIBE_URL = "__UNSUBSCRIBE_URL__"
PREFERENCES_URL = "__PREFERENCES_URL__"
FIRST_NAME = "__FIRST_NAME__"
GREETING = "__GREETING__"        # "Dear Ana," or "Dear family," in the reader's language
WEB_URL = "__WEB_URL__"          # the public folder of this issue (calendar files, view in browser)

ALL = (UNSUBSCRIBE_URL, PREFERENCES_URL, FIRST_NAME, GREETING, WEB_URL)
PATTERN = re.compile("|".join(map(re.escape, ALL)))
ANY_TOKEN = re.compile(r"__[A-Z][A-Z_]*[A-Z]__")

# What a preview shows in their place: visible, and obviously not real.
PREVIEW = {
    UNSUBSCRIBE_URL: "#preview-unsubscribe-link",
    PREFERENCES_URL: "#preview-preferences-link",
    FIRST_NAME: "[First name]",
    GREETING: "[Greeting with first name]",
    WEB_URL: ".",
}


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every known token in one pass."""
    return PATTERN.sub(lambda m: values[m.group(0)], text)


def unknown(text: str) -> set[str]:
    return set(ANY_TOKEN.findall(text)) - set(ALL)
