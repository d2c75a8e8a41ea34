"""Stored content translations: gettext PO files, one per language and scope.

  newsletters/<publication>/i18n/<lang>.po           publication settings (footer, name)
  newsletters/library/i18n/<lang>.po                 library blocks, translated once for every issue
                                                     (the issue's library: Issue.library, never the package)
  newsletters/<publication>/<issue>/i18n/<lang>.po   the issue's own blocks, subject and preheader

Each entry keeps, as its msgid, the English it was translated from: when the English
changes, the entry no longer matches and the translation shows as stale. A machine
translation is a fuzzy entry whose translator comment starts "machine translation by
<provider>" (blocks/i18n/machine/): status `machine`, never mistaken for a human draft.
"""
from __future__ import annotations

import os
import re
import tempfile
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

import polib

from blocks.model import Issue
from blocks.content_tree import library_folder

MISSING, STALE, DRAFT, MACHINE, APPROVED = "missing", "stale", "draft", "machine", "approved"
STATUSES = (APPROVED, MACHINE, DRAFT, STALE, MISSING)            # best first (for families)
MACHINE_NOTE = "machine translation by {provider}: not reviewed. Correct it if needed, then clear the fuzzy flag."
_MACHINE_NOTE = re.compile(r"^machine translation by (\S+):")


@dataclass(frozen=True)
class Translation:
    source: str      # the English it was made from (msgid)
    text: str        # msgstr
    draft: bool      # fuzzy in PO terms
    machine: str = ""   # the provider, for a machine translation nobody has reviewed yet

    def status_for(self, current_source: str) -> str:
        if not self.text:
            return MISSING
        if self.source != current_source:
            return STALE
        if self.machine:
            return MACHINE
        return DRAFT if self.draft else APPROVED

    @property
    def human(self) -> bool:
        """Written or reviewed by a person (machine translations never count)."""
        return bool(self.text) and not self.machine


def machine_provider(entry: polib.POEntry) -> str:
    """The provider named by a fuzzy entry's machine-translation note ("" for human work)."""
    found = _MACHINE_NOTE.match(entry.tcomment or "")
    return found.group(1) if found and entry.fuzzy else ""


def scope_file(issue: Issue, context: str, lang: str) -> Path:
    if context.startswith("publication."):
        return issue.path.parent / "i18n" / f"{lang}.po"
    if context.startswith("library/"):
        return library_i18n(issue) / f"{lang}.po"
    return issue.path / "i18n" / f"{lang}.po"


def library_i18n(issue: Issue) -> Path:
    """Where the issue's library blocks' translations are: <its library>/i18n/."""
    return (issue.library or library_folder(issue.path)) / "i18n"


def scope_files(issue: Issue, lang: str) -> list[Path]:
    return [scope_file(issue, c, lang) for c in ("publication.x", "library/x", "issue.x")]


def translated_languages(issue_dir: Path, languages) -> list[str]:
    """Which of `languages` the issue folder has stored translations in (human or machine)."""
    return [lang for lang in languages
            if any(t.text for t in read(issue_dir / "i18n" / f"{lang}.po").values())]


def load(issue: Issue, lang: str) -> dict[str, Translation]:
    """Every stored translation for `lang` that the issue can use, by context."""
    found: dict[str, Translation] = {}
    for path in scope_files(issue, lang):
        found.update(read(path))
    return found


def read(path: Path) -> dict[str, Translation]:
    """The translations in one stored catalog, by context (nothing if it does not exist)."""
    try:
        info = path.stat()
        stamp = (info.st_mtime_ns, info.st_size)
    except FileNotFoundError:
        return {}
    return dict(_parsed(str(path), stamp))


@lru_cache(maxsize=64)
def _parsed(path: str, _stamp: tuple[int, int]) -> tuple[tuple[str, Translation], ...]:
    """A catalog parsed once per version of the file (the stamp: modification time and size)."""
    return tuple((entry.msgctxt, Translation(entry.msgid, entry.msgstr, entry.fuzzy, machine_provider(entry)))
                 for entry in polib.pofile(path) if entry.msgctxt and not entry.obsolete)


def store(issue: Issue, lang: str, entries: list[polib.POEntry], header_comment: str = "",
          header_line: str = "") -> list[Path]:
    """Merge entries into the stored catalogs, replacing those with the same context.

    Round trip: every other entry, its comments, its line wrapping and the order stay exactly as
    they were in the file (a new context goes in its sorted place); each catalog is written whole
    or not at all, and only once every catalog is ready. `header_comment` replaces a catalog's
    header comment; `header_line` is added to it once (e.g. that the catalog holds machine
    translations).
    """
    by_file: dict[Path, list[polib.POEntry]] = {}
    for entry in entries:
        by_file.setdefault(scope_file(issue, entry.msgctxt, lang), []).append(entry)
    staged = []
    for path, new_entries in by_file.items():
        if path.exists():
            text = merged(path.read_text(encoding="utf-8"), new_entries, header_comment, header_line)
        else:
            catalog = _new_catalog(lang, header_comment)
            if header_line and header_line not in catalog.header:
                catalog.header = "\n".join(filter(None, [catalog.header, header_line]))
            for entry in sorted(new_entries, key=lambda e: e.msgctxt or ""):
                catalog.append(entry)
            text = catalog.__unicode__()
        staged.append((path, text))
    for path, text in staged:            # write only once every catalog is ready
        _write_atomically(path, text)
    return [path for path, _ in staged]


_GAP = re.compile(r"\n[ \t]*\n")


def merged(text: str, entries: list[polib.POEntry], header_comment: str = "", header_line: str = "") -> str:
    """The catalog `text` with `entries` in it, changing only their own parts of the text."""
    chunks = [c for c in _GAP.split(text.strip("\n")) if c.strip()]
    parsed = [polib.pofile(chunk + "\n", wrapwidth=WRAP) for chunk in chunks]     # (text, never a path)
    contexts = [next((e.msgctxt for e in po if not e.obsolete and e.msgctxt), None) for po in parsed]
    wanted = {entry.msgctxt: entry for entry in entries}
    for i, context in enumerate(contexts):
        if context in wanted:
            chunks[i] = _entry_text(wanted.pop(context))
    for entry in sorted(wanted.values(), key=lambda e: e.msgctxt or ""):
        place = next((i for i, c in enumerate(contexts) if c is not None and c > entry.msgctxt), len(chunks))
        chunks.insert(place, _entry_text(entry))
        contexts.insert(place, entry.msgctxt)
    top = next((i for i, chunk in enumerate(chunks) if contexts[i] is None and re.search(r'^msgid ""', chunk, re.M)),
               None)
    if top is not None and (header_comment or header_line):
        header = parsed[top]
        before = header.header
        if header_comment:
            header.header = header_comment
        if header_line and header_line not in header.header:
            header.header = "\n".join(filter(None, [header.header, header_line]))
        if header.header != before:
            chunks[top] = _header_text(header)
    return "\n\n".join(chunks) + "\n"


WRAP = 100


def _entry_text(entry: polib.POEntry) -> str:
    return entry.__unicode__(wrapwidth=WRAP).rstrip("\n")


def _header_text(header: polib.POFile) -> str:
    alone = polib.POFile(wrapwidth=WRAP)
    alone.header, alone.metadata = header.header, header.metadata
    alone.metadata_is_fuzzy = header.metadata_is_fuzzy
    return alone.__unicode__().strip("\n")


def _new_catalog(lang: str, header_comment: str) -> polib.POFile:
    catalog = polib.POFile(wrapwidth=WRAP)
    catalog.header = header_comment
    catalog.metadata = {"Language": lang, "MIME-Version": "1.0",
                        "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
    return catalog


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
