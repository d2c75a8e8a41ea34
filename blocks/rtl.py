"""Right-to-left fix-ups: what the rendered HTML needs so Arabic (Urdu, Farsi, Hebrew) reads right.

    direction(lang)           "rtl" or "ltr", from Babel's character order for the language
    isolate_links(html, rtl)  links in right-to-left text get dir="auto": a URL or an English
                              name inside Arabic keeps its own direction
    set_directions(html, d)   mjml-python hard-codes direction:ltr on every column whatever the
                              document's dir, so each section gets its language's direction;
                              blocks shown in English (fallbacks) get lang and dir="ltr" back
    isolate_latin_runs(html)  runs of Latin text with spaces or brackets, e.g. "(Office of Equity
                              Advancement)", are wrapped in <bdi> so the bidi algorithm does not
                              scramble their brackets and word order

These work on the HTML as mjml-python and the inliner leave it (regular expressions over
known markup, not a parser), so they rely on our templates' class names: "block-<type>"
and "chrome-..." on each section's div, "lang-<code>" on a fallback block's.
"""
from __future__ import annotations

import re

from babel import Locale

_SECTION_START = re.compile(r'(?=<div class="(?:block-|chrome-))')
_FALLBACK_LANG = re.compile(r'<div class="block-[a-z_]+ lang-([A-Za-z_]+)"')
_TAG = re.compile(r"(<[^>]+>)")
_LATIN_RUN = re.compile(r"\(?[A-Za-z][A-Za-z0-9&;#'’.,/:@_-]*(?:[ \u00a0]+\(?[A-Za-z0-9&;#'’.,/:@_-]+\)?)*\)?")


def direction(lang: str) -> str:
    """The writing direction of a language: "rtl" or "ltr"."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def isolate_links(html: str, rtl: bool) -> str:
    """In right-to-left text, let each link take its own direction, so URLs and English names stay readable."""
    return html.replace("<a ", '<a dir="auto" ') if rtl else html


def set_directions(html: str, email_dir: str) -> str:
    """Give every section its language's direction and, for blocks shown in English, lang and dir.

    mjml-python writes direction:ltr on every column whatever the document's dir, so
    right-to-left emails would show Arabic with left-hand bullets; fallback blocks inside
    them must stay left-to-right. The part before the first section (head, preheader) is
    left as it is.
    """
    chunks = _SECTION_START.split(html)
    for i, chunk in enumerate(chunks):
        fallback = _FALLBACK_LANG.match(chunk)
        chunk_dir = direction(fallback.group(1)) if fallback else email_dir
        if fallback:
            chunk = _FALLBACK_LANG.sub(lambda m: f'{m.group(0)} lang="{m.group(1).replace("_", "-")}" '
                                                 f'dir="{chunk_dir}"', chunk, count=1)
        if chunk_dir == "rtl" and i > 0:
            chunk = chunk.replace("direction:ltr", "direction:rtl")
        chunks[i] = chunk
    return "".join(chunks)


def isolate_latin_runs(html: str) -> str:
    """In right-to-left emails, show runs of Latin text such as "(Office of Equity Advancement)"
    as one left-to-right unit, so their parentheses and word order are not scrambled.

    Only text in the body between tags is touched, and only runs with a space or a bracket
    (a single word needs no isolation).
    """
    head, sep, body = html.partition("<body")
    parts = _TAG.split(body)
    for i in range(2, len(parts), 2):          # text between tags (parts[0] is the rest of <body ...>)
        if parts[i].strip():
            parts[i] = _LATIN_RUN.sub(lambda m: f"<bdi>{m.group(0)}</bdi>" if " " in m.group(0) or "(" in
                                      m.group(0) else m.group(0), parts[i])
    return head + sep + "".join(parts)
