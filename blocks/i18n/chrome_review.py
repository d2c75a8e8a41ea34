"""Reviewing the chrome catalogs (blocks/i18n/chrome/<lang>.po: footer, labels, the preference pages)
string by string, as the studio's review pages do for an issue's blocks.

A chrome entry is `missing` (no translation), `draft` (fuzzy: not used, the English shows), `unreviewed`
(used, but nobody who reads the language has approved it: the catalogs were written by the
development team) or `approved` (its translator comment says who approved it, and when). When every
entry of a catalog is approved, its header stops saying it needs native review. Writes are atomic
and leave the other entries, their comments and the order as they are.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polib

from blocks.characters import invisible_characters
from blocks.i18n import chrome

APPROVED, UNREVIEWED, DRAFT, MISSING = "approved", "unreviewed", "draft", "missing"
NOTE = "approved in the studio by {who} on {day}"
_NOTE = re.compile(r"^approved in the studio by ")
NEEDS_REVIEW = re.compile(r"^Needs review by a native speaker.*$", re.M)
REVIEWED = "Reviewed and approved by native speakers in the studio."
_PLACEHOLDER = re.compile(r"%\(\w+\)s|%s|%d")
_SAVING = threading.Lock()


@dataclass
class ChromeEntry:
    number: int                   # its place in the catalog (0: the first entry)
    source: str
    text: str
    status: str
    note: str = ""                # who approved it
    problems: list[tuple[str, str]] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(repr((self.source, self.text, self.status, self.note)).encode()).hexdigest()[:32]


def _status(entry: polib.POEntry) -> str:
    if not entry.msgstr:
        return MISSING
    if entry.fuzzy:
        return DRAFT
    return APPROVED if _NOTE.match(entry.tcomment or "") else UNREVIEWED


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and e.msgid]


def entries(folder: Path, lang: str) -> list[ChromeEntry]:
    po = polib.pofile(str(Path(folder) / f"{lang}.po"))
    return [ChromeEntry(i, e.msgid, e.msgstr, _status(e), e.tcomment if _NOTE.match(e.tcomment or "") else "")
            for i, e in enumerate(_entries(po))]


def languages(folder: Path) -> list[str]:
    return sorted(p.stem for p in Path(folder).glob("*.po"))


def counts(folder: Path, lang: str) -> Counter:
    return Counter(e.status for e in entries(folder, lang))


def check(source: str, text: str) -> list[tuple[str, str]]:
    found = []
    if Counter(_PLACEHOLDER.findall(source)) != Counter(_PLACEHOLDER.findall(text)):
        found.append(("placeholders differ from the English", "keep each %(name)s exactly as in the English"))
    found += invisible_characters(text, one_line=True)
    if "\n" in text:
        found.append(("this text must stay on one line", "remove the line breaks"))
    return found


def save(folder: Path, lang: str, number: int, text: str, *, approve: bool, seen: str | None, who: str,
         today: dt.date) -> tuple[ChromeEntry | None, bool]:
    """Store one entry's translation (approved, or a draft the emails do not use yet). Returns the
    entry with its problems (nothing stored if any) and whether it was refused because it changed
    since `seen` (its fingerprint). None when there is no such entry."""
    path = Path(folder) / f"{lang}.po"
    with _SAVING:
        po = polib.pofile(str(path), wrapwidth=78)
        found = _entries(po)
        if not 0 <= number < len(found):
            return None, False
        entry = found[number]
        before = ChromeEntry(number, entry.msgid, entry.msgstr, _status(entry),
                             entry.tcomment if _NOTE.match(entry.tcomment or "") else "")
        text = text.replace("\r\n", "\n").strip()
        result = ChromeEntry(number, entry.msgid, text, before.status, before.note)
        if seen is not None and seen != before.fingerprint:
            return result, True
        result.problems = check(entry.msgid, text) if text else [("this text is not translated yet",
                                                                    "write its translation")]
        if result.problems:
            return result, False
        entry.msgstr = text
        if approve:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.tcomment = NOTE.format(who=who, day=today.isoformat())
        else:
            if "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
            entry.tcomment = ""
        entry.previous_msgid = None
        if all(_status(e) == APPROVED for e in found) and NEEDS_REVIEW.search(po.header or ""):
            po.header = NEEDS_REVIEW.sub(REVIEWED, po.header)
        _write(path, po)
        if Path(folder).resolve() == chrome.CATALOGS.resolve():
            chrome.forget()       # the next email rendered here uses it (other processes: chrome.translations)
        return ChromeEntry(number, entry.msgid, text, _status(entry),
                           entry.tcomment if approve else ""), False


def _write(path: Path, po: polib.POFile) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(handle)
    try:
        po.save(temp)
        os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
