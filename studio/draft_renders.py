"""Each open draft checked and rendered by the preview's engine, kept warm between requests.

One `DraftRenders` per (person, publication, issue), in a small cache of the app: a scratch copy
of the issue's folder (as studio/checking.py makes it) that each new text of the draft is written
to and loaded from by blocks.loader.load_issue (the problems are `check`'s, naming the real file),
preview.incremental.Renderer for each language's email (only the changed blocks are rendered
again), and the preview's warnings (preview/checks.py: size, contrast, alt text, vague link
text, tokens, stale translations) of every language rendered.

As `compose.py preview` does, a draft with problems never replaces the preview: the emails and
warnings are those of the last text without problems (`good_is_current` says whether that is
the draft itself). A person opening a draft with problems in a fresh process gets the saved file
as the last good text.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from blocks.content_tree import FILE_NAME, library_folder
from blocks.i18n.localize import localize
from blocks.i18n.status import language_status
from blocks.loader import load_issue
from common.errors import NewsletterError
from common.problems import Problem
from preview import checks
from preview.incremental import Edition, Renderer
from studio import documents
from studio.checking import _renamed
from studio.documents import digest

KEPT = 24          # drafts kept warm per process (each holds a few rendered emails)


@dataclass(frozen=True)
class Shown:
    """One language's email as the studio's preview frame shows it (tokens as placeholders)."""

    html: str
    text: str


class DraftRenders:
    def __init__(self, issue_dir: Path, shown: str, library_dir: Path | None):
        self.issue_dir, self.shown = Path(issue_dir).resolve(), shown
        self.library = library_folder(self.issue_dir, library_dir)
        self.lock = threading.RLock()
        self._scratch = tempfile.TemporaryDirectory(prefix="studio-draft-")
        self.folder = Path(self._scratch.name) / self.issue_dir.parent.name / self.issue_dir.name
        self.folder.mkdir(parents=True)
        publication = self.folder.parent
        if (self.issue_dir.parent / "i18n").is_dir():
            (publication / "i18n").symlink_to(self.issue_dir.parent / "i18n", target_is_directory=True)
        if (self.issue_dir / "i18n").is_dir():
            (self.folder / "i18n").symlink_to(self.issue_dir / "i18n", target_is_directory=True)
        (self.folder / "images").symlink_to(self.issue_dir / "images", target_is_directory=True)  # may come later
        self._copied: tuple = ()
        self.renderer = Renderer()
        self.section_checks = checks.SectionChecks()
        self.key = ""                 # of the text last loaded (and the files it depends on)
        self.problems: list[Problem] = []
        self.good = None              # the last Issue loaded without problems
        self.good_key = ""
        self._found: dict[str, tuple[str, list]] = {}      # lang -> (good_key, (where, message, hint))
        self._parsed: tuple | None = None                   # (digest of a text, its round-trip data)
        self._editions: dict[str, tuple] = {}                # lang -> (good_key, the Edition made from it)

    def parsed(self, text: str):
        """(data, marks) of `text` (studio/documents.py): the data kept by keep_parsed() if it is of
        this text, handed over (the caller may change it; a request at the same time parses its own),
        else parsed (ruamel.yaml parses slowly: about 100 ms for the sample). `marks`: its line and
        column marks are those of `text` (documents.patch_scalar may use them)."""
        key = digest(text)
        with self.lock:
            kept, self._parsed = self._parsed, None
        if kept is not None and kept[0] == key:
            return kept[1], kept[2]
        return documents.load(text), True

    def keep_parsed(self, text: str, data, marks: bool) -> None:
        """`data` is what `text` parses to (the caller changes it no more); `marks`: as in parsed()."""
        with self.lock:
            self._parsed = (digest(text), data, marks)

    @property
    def good_is_current(self) -> bool:
        return self.good is not None and self.good_key == self.key

    def update(self, text: str) -> list[Problem]:
        """Load `text` as the issue (again only if it or a file it reads changed): its problems."""
        with self.lock:
            stamps = self._stamps()
            key = hashlib.blake2b(text.encode() + repr(stamps).encode(), digest_size=16).hexdigest()
            if key == self.key:
                return self.problems
            if stamps[0] != self._copied:
                for name in (FILE_NAME, "glossary.yaml"):
                    source, copy = self.issue_dir.parent / name, self.folder.parent / name
                    if source.exists():
                        shutil.copy(source, copy)
                    else:
                        copy.unlink(missing_ok=True)
                self._copied = stamps[0]
            (self.folder / "issue.yaml").write_text(text, encoding="utf-8")
            try:
                issue, problems = load_issue(self.folder, library_dir=self.library), []
            except NewsletterError as e:
                issue, problems = None, [_renamed(p, self.folder / "issue.yaml", self.shown) for p in e.problems]
            self.key, self.problems = key, problems
            if issue is not None:
                self.good, self.good_key = issue, key
            return problems

    def languages(self) -> list[str]:
        return list(self.good.languages) if self.good is not None else []

    def edition(self, lang: str) -> Edition | None:
        """The last good text's email in `lang` (None if there is none, or no such language)."""
        with self.lock:
            if self.good is None or lang not in self.good.languages:
                return None
            known = self._editions.get(lang)
            if known is not None and known[0] == self.good_key and known[1] is self.renderer.editions.get(lang):
                return known[1]
            edition, how = self.renderer.render(localize(self.good, lang), lang, (lang,))
            self._editions[lang] = (self.good_key, edition)
            found = self._found.get(lang)
            if how != "same" or found is None or found[0] != self.good_key:
                self._found[lang] = (self.good_key, self._findings(lang, edition))
            return edition

    def email(self, lang: str, text: bool = False) -> Shown | None:
        """The email in `lang` as the preview frame shows it; `text`: its plain-text part too (a quick
        render, of the changed blocks only, leaves it behind: the language is rendered in full)."""
        with self.lock:
            edition = self.edition(lang)
            if edition is None:
                return None
            if text and not edition.settled:
                self.renderer.settle(lang)
                edition = self.renderer.editions[lang]
                self._editions[lang] = (self.good_key, edition)
            return Shown(edition.shown.head + "".join(edition.shown.sections), edition.text if text else "")

    def warnings(self, langs) -> list[checks.Finding]:
        """The preview's warnings of the languages `langs` (rendered if they were not), merged."""
        with self.lock:
            per_lang = {}
            for lang in langs:
                if self.edition(lang) is not None:
                    per_lang[lang] = self._found[lang][1]
            return checks.merge(per_lang)

    def _findings(self, lang: str, edition: Edition) -> list[tuple[str, str, str]]:
        email = edition.email
        found = self.section_checks.email(edition.shown, [block.id for block in edition.localized.blocks])
        found += checks.language_findings(len(email.html.encode()), email.subject,
                                          language_status(self.good, lang), email.files)
        return found

    def _stamps(self) -> tuple:
        """What the loaded issue depends on beside its text: the publication's files, the
        translations and the library (names, sizes, modification times)."""
        parent = self.issue_dir.parent
        own = tuple(_stamp(parent / name) for name in (FILE_NAME, "glossary.yaml"))
        others = tuple(_stamp(path) for folder in (parent / "i18n", self.issue_dir / "i18n", self.library)
                       for path in _files(folder))
        return own, others

    def close(self) -> None:
        self._scratch.cleanup()


def _files(folder: Path):
    try:
        return sorted(entry.path for entry in os.scandir(folder) if entry.is_file())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _stamp(path) -> tuple:
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return (str(path),)
    return str(path), found.st_mtime_ns, found.st_size


class DraftCache:
    """The DraftRenders of the drafts open lately, least recently used dropped first."""

    def __init__(self, kept: int = KEPT):
        self.kept = kept
        self._entries: OrderedDict[tuple, DraftRenders] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, issue_dir: Path, shown: str, library_dir: Path | None,
            saved_text=lambda: None) -> DraftRenders:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                return entry
            entry = self._entries[key] = DraftRenders(issue_dir, shown, library_dir)
            while len(self._entries) > self.kept:
                self._entries.popitem(last=False)[1].close()
        with entry.lock:
            saved = saved_text()             # the last good text until the draft loads without problems
            if saved is not None and entry.good is None:
                entry.update(saved)
        return entry
