"""Reviewing the chrome strings (footer, labels, the preference pages) string by string, as the
studio's review pages do for an issue's blocks.

The strings are the product's catalogs (blocks/i18n/chrome/<lang>.po, read only here) with the
district's reviewed strings over them: `folder` is <library>/chrome/ (chrome.reviewed_folder), in
the content tree. A save writes there only the entry it changes (made on first save, with the
product catalog's header), so the product's catalogs and any Python package are never written,
and an update of the code keeps what people approved.

A chrome entry is `missing` (no translation), `draft` (fuzzy: not used, the product's string or the
English shows), `unreviewed` (used, but nobody who reads the language has approved it: the product's
catalogs were written by the development team) or `approved` (its translator comment says who
approved it, and when). When every entry of a language is approved, the reviewed catalog's header
stops saying it needs native review. Writes are atomic and leave the other entries, their comments
and the order as they are.
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


def _shipped(lang: str) -> polib.POFile:
    return polib.pofile(str(chrome.CATALOGS / f"{lang}.po"), wrapwidth=78)


def _reviewed(folder: Path, lang: str) -> polib.POFile | None:
    path = Path(folder) / f"{lang}.po"
    return polib.pofile(str(path), wrapwidth=78) if path.is_file() else None


def _key(entry: polib.POEntry) -> tuple:
    return entry.msgctxt, entry.msgid


def _merged(folder: Path, lang: str) -> list[polib.POEntry]:
    """The product's entries in its order, each as the district reviewed it if it did."""
    reviewed = _reviewed(folder, lang)
    over = {_key(e): e for e in _entries(reviewed)} if reviewed is not None else {}
    return [over.get(_key(e), e) for e in _entries(_shipped(lang))]


def _chrome_entry(number: int, entry: polib.POEntry) -> ChromeEntry:
    return ChromeEntry(number, entry.msgid, entry.msgstr, _status(entry),
                       entry.tcomment if _NOTE.match(entry.tcomment or "") else "")


def has(lang: str) -> bool:
    """Whether the product has a catalog of `lang` to review."""
    return (chrome.CATALOGS / f"{lang}.po").is_file()


def entries(folder: Path, lang: str) -> list[ChromeEntry]:
    return [_chrome_entry(i, e) for i, e in enumerate(_merged(folder, lang))]


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
    """Store one entry's translation (approved, or a draft the emails do not use yet) in the
    district's reviewed catalog of `lang` in `folder`. Returns the entry with its problems (nothing
    stored if any) and whether it was refused because it changed since `seen` (its fingerprint).
    None when there is no such entry."""
    path = Path(folder) / f"{lang}.po"
    with _SAVING:
        merged = _merged(folder, lang)
        if not 0 <= number < len(merged):
            return None, False
        before = _chrome_entry(number, merged[number])
        text = text.replace("\r\n", "\n").strip()
        result = ChromeEntry(number, before.source, text, before.status, before.note)
        if seen is not None and seen != before.fingerprint:
            return result, True
        result.problems = check(before.source, text) if text else [("this text is not translated yet",
                                                                     "write its translation")]
        if result.problems:
            return result, False
        po = _reviewed(folder, lang) or _new_catalog(lang)
        entry = next((e for e in _entries(po) if _key(e) == _key(merged[number])), None)
        if entry is None:
            shipped = merged[number]
            entry = polib.POEntry(msgid=shipped.msgid, msgctxt=shipped.msgctxt, msgstr="")
            po.append(entry)
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
        if all(_status(e) == APPROVED for e in _merged_with(merged, number, entry)) \
                and NEEDS_REVIEW.search(po.header or ""):
            po.header = NEEDS_REVIEW.sub(REVIEWED, po.header)
        path.parent.mkdir(parents=True, exist_ok=True)
        _write(path, po)
        chrome.forget()        # the next email rendered here uses it (other processes: chrome.translations)
        return ChromeEntry(number, entry.msgid, text, _status(entry),
                           entry.tcomment if approve else ""), False


def _merged_with(merged: list[polib.POEntry], number: int, entry: polib.POEntry) -> list[polib.POEntry]:
    return [entry if i == number else e for i, e in enumerate(merged)]


def _new_catalog(lang: str) -> polib.POFile:
    """An empty reviewed catalog of `lang`, with the product catalog's header and metadata."""
    shipped = _shipped(lang)
    po = polib.POFile(wrapwidth=78)
    po.header, po.metadata = shipped.header, dict(shipped.metadata)
    return po


def _write(path: Path, po: polib.POFile) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(handle)
    try:
        po.save(temp)
        os.chmod(temp, path.stat().st_mode & 0o777 if path.exists() else 0o644)     # a new one: as git checks out
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)

