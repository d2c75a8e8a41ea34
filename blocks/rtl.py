"""Right-to-left fix-ups: what the rendered email needs so Arabic and Urdu (Farsi, Hebrew) read right
in every mail client, including those that drop tags they do not know (<bdi> is one: Gmail,
Outlook and Yahoo do not support it), so nothing here relies on <bdi>.

    direction(lang)             "rtl" or "ltr", from Babel's character order for the language
    ltr(text, rtl) / isolate()  a run that must read left to right (phone, address, e-mail, URL) or
                                in its own direction (a name): <span dir="ltr"> plus the Unicode
                                isolates LRI/FSI ... PDI, which are text and survive stripped tags
    isolate_links(html, rtl)    links in right-to-left text get dir="auto" and their text FSI ... PDI
    set_directions(html, d)     every section, table cell, paragraph, heading and list gets its
                                direction as a `dir` attribute (mjml-python hard-codes direction:ltr
                                on columns; Gmail drops the <html> element and its dir); blocks shown
                                in English get lang="en" dir="ltr" throughout
    isolate_latin_runs(html)    runs of Latin text with spaces or brackets inside right-to-left text,
                                e.g. "(Office of Equity Advancement)", become one isolated run
                                (isolate_latin_in: the same in one escaped text, for web pages)
    isolate_text(text)          the same for the plain-text part: phones, addresses, e-mails, URLs
                                and Latin runs between LRI/FSI and PDI

These work on the HTML as mjml-python and the inliner leave it (regular expressions over
known markup, not a parser), so they rely on our templates' class names: "block-<type>"
and "chrome-..." on each section's div, "lang-<code>" on a fallback block's.
"""
from __future__ import annotations

import re

from babel import Locale
from markupsafe import Markup, escape

LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"
_SECTION_START = re.compile(r'(?=<div class="(?:block-|chrome-))')
_FALLBACK_LANG = re.compile(r'<div class="block-[a-z_]+ lang-([A-Za-z_]+)"')
_BLOCK_TAG = re.compile(r"<(td|p|h[1-6]|ul|ol|li)(?=[\s>])(?![^>]*\bdir=)")
_TAG = re.compile(r"(<[^>]+>)")
_LATIN_RUN = re.compile(r"\(?[A-Za-z][A-Za-z0-9&;#'’.,/:@_-]*(?:[ \u00a0]+\(?[A-Za-z0-9&;#'’.,/:@_-]+\)?)*\)?")
_LINK = re.compile(r"(<a [^>]*>)(.*?)(</a>)", re.S)
_ISOLATED_OPEN = ('<span dir="ltr">', '<span dir="auto">')
_LINKABLE = re.compile(r"https?://|mailto:|www\.|[\w.+-]+@")      # what mail programs turn into links
_LTR_TEXT = re.compile(r"(?:https?://|mailto:|www\.)\S+[^\s.,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
                       r"|\+?\(?\d[\d\s().\-]{5,}\d")
_RTL_LETTER = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")


def direction(lang: str) -> str:
    """The writing direction of a language: "rtl" or "ltr"."""
    return "rtl" if Locale.parse(lang).character_order == "right-to-left" else "ltr"


def ltr(text, rtl: bool, html: bool = True) -> str:
    """A run that always reads left to right (phone number, address, e-mail, URL)."""
    return _run(text, rtl, html, LRI, "ltr")


def isolate(text, rtl: bool, html: bool = True) -> str:
    """A run in its own direction, whatever it is (a name that may be in Latin or Arabic letters)."""
    return _run(text, rtl, html, FSI, "auto")


def _run(text, rtl: bool, html: bool, opening: str, direction_: str) -> str:
    if not rtl:
        return escape(text) if html else str(text)
    if not html:
        return f"{opening}{text}{PDI}"
    return Markup(f'<span dir="{direction_}">{opening}{escape(text)}{PDI}</span>')


def isolate_links(html: str, rtl: bool) -> str:
    """In right-to-left text, let each link take its own direction, so URLs and English names stay readable."""
    if not rtl:
        return html
    return _LINK.sub(lambda m: m.group(1).replace("<a ", '<a dir="auto" ', 1) + FSI + m.group(2) + PDI + m.group(3),
                     html)


def set_directions(html: str, email_dir: str) -> str:
    """Give every section its language's direction and, for blocks shown in English, lang and dir.

    mjml-python writes direction:ltr on every column whatever the document's dir, so
    right-to-left emails would show Arabic with left-hand bullets; fallback blocks inside
    them must stay left-to-right. The part before the first section (head, preheader) is
    left as it is.
    """
    chunks = _SECTION_START.split(html)
    for i, chunk in enumerate(chunks):
        if i == 0:
            continue
        fallback = _FALLBACK_LANG.match(chunk)
        chunk_dir = direction(fallback.group(1)) if fallback else email_dir
        if fallback:
            chunk = _FALLBACK_LANG.sub(lambda m: f'{m.group(0)} lang="{m.group(1).replace("_", "-")}" '
                                                 f'dir="{chunk_dir}"', chunk, count=1)
        if chunk_dir == "rtl":
            chunk = chunk.replace("direction:ltr", "direction:rtl")
        if email_dir == "rtl" or chunk_dir == "rtl":
            if not fallback:
                chunk = re.sub(r'^(<div class="[^"]*")', rf'\1 dir="{chunk_dir}"', chunk, count=1)
            chunk = _BLOCK_TAG.sub(rf'<\1 dir="{chunk_dir}"', chunk)
        chunks[i] = chunk
    return "".join(chunks)


def isolate_latin_runs(html: str) -> str:
    """In right-to-left emails, show runs of Latin text such as "(Office of Equity Advancement)"
    as one left-to-right unit, so their parentheses and word order are not scrambled.

    Only text in the body between tags is touched, only runs with a space or a bracket
    (a single word needs no isolation), and never text already isolated or in an English
    section (lang="en" dir="ltr").
    """
    head, sep, body = html.partition("<body")
    sections = _SECTION_START.split(body)
    for n, section in enumerate(sections):
        fallback = _FALLBACK_LANG.match(section)
        if fallback and direction(fallback.group(1)) == "ltr":
            continue                         # an English block: left to right as a whole
        parts = _TAG.split(section)
        for i in range(2 if n == 0 else 0, len(parts), 2):   # text between tags (not <body ...> itself)
            opening = parts[i - 1] if i else ""
            if not parts[i].strip() or opening.startswith(_ISOLATED_OPEN) or parts[i].lstrip()[:1] in (LRI, FSI):
                continue
            parts[i] = _LATIN_RUN.sub(_isolated_run, parts[i])
        sections[n] = "".join(parts)
    return head + sep + "".join(sections)


def isolate_latin_in(escaped: str) -> str:
    """isolate_latin_runs for one piece of HTML-escaped text: a publication's name such as
    "مكتب تعزيز الإنصاف (Office of Equity Advancement)" on a right-to-left web page. The run may
    wrap (a page's heading is wider than a phone at 320 px otherwise); isolated, its words and
    brackets stay in order on each line."""
    return _LATIN_RUN.sub(lambda found: _isolated_run(found, nowrap=False), escaped)


def _isolated_run(found: re.Match, nowrap: bool = True) -> str:
    """One Latin run as an isolate; in an email, a short one (a name in brackets) is kept on one line."""
    run = found.group(0)
    if " " not in run and "(" not in run:
        return run
    keep = ' style="white-space: nowrap;"' if nowrap and len(run) <= NOWRAP_RUN else ""
    return f'<span dir="ltr"{keep}>{LRI}{run}{PDI}</span>'


NOWRAP_RUN = 32       # characters: "(Office of Equity Advancement)" fits a 375 px phone on one line


def isolate_text(text: str) -> str:
    """The plain-text part of a right-to-left email: phone numbers, e-mails and URLs between
    LRI and PDI; on lines with right-to-left letters, Latin runs with spaces between FSI and PDI."""
    lines = []
    for line in text.split("\n"):
        # a space before PDI: a mail program that turns URLs into links stops there, not after the PDI
        line = _LTR_TEXT.sub(lambda m: f"{LRI}{m.group(0)}{' ' if _LINKABLE.match(m.group(0)) else ''}{PDI}", line)
        if _RTL_LETTER.search(line):
            pieces = re.split(f"({LRI}[^{PDI}]*{PDI})", line)
            line = "".join(p if p.startswith(LRI) else _LATIN_RUN.sub(
                lambda m: f"{FSI}{m.group(0)}{PDI}" if " " in m.group(0) or "(" in m.group(0) else m.group(0), p)
                for p in pieces)
        lines.append(line)
    return "\n".join(lines)
