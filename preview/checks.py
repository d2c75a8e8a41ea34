"""Warnings about what families would get: things `check` lets through but staff should see.

Per language: HTML over 90 KB (Gmail clips it), text with too little contrast, images without
alt text, link text that does not say where it goes, tokens nobody fills in, stale
translations. The HTML checks run on each section of the email (sections.py) and are cached by
its text, so a change to one block checks one block again.
"""
from __future__ import annotations

import hashlib
import html as htmllib
import re
from dataclasses import dataclass

from blocks import tokens
from blocks.build import GMAIL_CLIP_WARNING
from blocks.markdown import VAGUE_LINK_TEXT
from preview.contrast import low_contrast
from preview.sections import Cut

# Translations can be vague too (blocks/markdown.py checks the English and a few Spanish ones).
MORE_VAGUE = {"aqui", "clique aqui", "clique", "saiba mais", "leia mais", "más", "leer más", "haga clic",
              "هنا", "اضغط هنا", "انقر هنا", "المزيد", "اقرأ المزيد"}
VAGUE = {text.casefold() for text in VAGUE_LINK_TEXT | MORE_VAGUE}
_LINK = re.compile(r"<a\b[^>]*>(.*?)</a>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
_IMG_NO_ALT = re.compile(r"<img\b(?![^>]*\balt=)[^>]*>", re.I)


@dataclass(frozen=True)
class Finding:
    """One warning: where (languages, block or part of the email), what, and what to do."""

    langs: tuple[str, ...]
    where: str
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = ": ".join(part for part in (", ".join(self.langs), self.where, self.message) if part)
        return f"{text}\n    -> {self.hint}" if self.hint else text


class SectionChecks:
    """The HTML checks of each section of an email, remembered by the section's text."""

    def __init__(self, limit: int = 4096):
        self._found: dict[bytes, tuple[tuple[str, str], ...]] = {}
        self.limit = limit
        self.checked = 0          # sections checked (not found in the cache), for the bench and tests

    def email(self, email: Cut, block_ids: list[str]) -> list[tuple[str, str, str]]:
        """(where, message, hint) for one language's email (with placeholders for its tokens)."""
        found = []
        ids = iter(block_ids)
        for section, kind in zip(email.sections, email.kinds):
            where = next(ids, "?") if kind == "block" else "header and footer"
            found += [(where, message, hint) for message, hint in self._section(section)]
        return found

    def _section(self, section: str) -> tuple[tuple[str, str], ...]:
        key = hashlib.blake2b(section.encode(), digest_size=16).digest()
        if key not in self._found:
            if len(self._found) >= self.limit:
                self._found.clear()
            self._found[key] = tuple(check_section(section))
            self.checked += 1
        return self._found[key]


def check_section(section: str) -> list[tuple[str, str]]:
    found = [(f"{len(_IMG_NO_ALT.findall(section))} image(s) without alt text",
              "describe each image with alt: (or alt: \"\" when it is only decoration)")] \
        if _IMG_NO_ALT.search(section) else []
    for inner in _LINK.findall(section):
        label = " ".join(htmllib.unescape(_TAG.sub("", inner)).split())
        if label.casefold().strip(" .!:…") in VAGUE:
            found.append((f"link text '{label}' does not say where it goes",
                          "screen readers list links out of context; describe the destination, e.g. "
                          "'Register for the Kick Off'"))
    left = sorted(set(tokens.ANY_TOKEN.findall(section)))
    if left:
        found.append((f"unresolved token(s) {', '.join(left)}", "families would see them as written; "
                      f"the placeholders that are filled in are {', '.join(tokens.ALL)}"))
    found += low_contrast(section)
    return found


def language_findings(html_bytes: int, subject: str, status, files: dict[str, bytes],
                      issue_path: str = "newsletters/<publication>/<issue>") -> list[tuple[str, str, str]]:
    """(where, message, hint) about one language as a whole; `issue_path`: the issue's folder as
    the commands take it (the hints name it, with the language)."""
    found = []
    for name, content in sorted(files.items()):
        unfolded = re.sub(r"\r?\n[ \t]", "", content.decode("utf-8", "replace"))      # iCalendar folds lines
        left = sorted(set(tokens.PATTERN.findall(unfolded)))
        if left:
            found.append((name, f"{', '.join(left)} is not filled in in calendar files",
                          "a calendar file is the same for every family: keep placeholders out of event texts"))
    if html_bytes > GMAIL_CLIP_WARNING:
        found.append(("size", f"the HTML is {html_bytes / 1024:.0f} KB, over {GMAIL_CLIP_WARNING // 1024} KB",
                      "Gmail clips messages near 102 KB and hides the footer with the unsubscribe link: "
                      "shorten the issue or move blocks to the next one"))
    in_subject = sorted(set(tokens.PATTERN.findall(subject)))
    if in_subject:
        found.append(("subject", f"{', '.join(in_subject)} is not filled in in the subject line",
                      "families would see it as written: keep placeholders to the body"))
    stale = status.owners_with("stale")
    if stale:
        found.append(("translations", f"{len(stale)} block(s) with stale translations: {', '.join(stale)}",
                      "the English changed since they were translated, so families get these blocks in English "
                      "until a translator reviews them: python compose.py translations export "
                      f"{issue_path} --lang {status.lang}"))
    if status.outcome == "held":
        found.append(("translations", "held: families reading this language get nothing until every block "
                      "is approved", "approve the missing translations, or set fallback: english"))
    return found


def merge(per_lang: dict[str, list[tuple[str, str, str]]]) -> list[Finding]:
    """One Finding per (where, message, hint), naming every language it applies to."""
    merged: dict[tuple[str, str, str], list[str]] = {}
    for lang, found in per_lang.items():
        for item in found:
            langs = merged.setdefault(item, [])
            if lang not in langs:
                langs.append(lang)
    return [Finding(tuple(langs), *item) for item, langs in merged.items()]
