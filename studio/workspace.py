"""One person's open issue: where its file is, their draft, the draft's data and problems, and what
the editor page and its fragments show (the forms of studio/forms.py with each problem at its field)."""
from __future__ import annotations

import re
from functools import lru_cache
from dataclasses import dataclass, field
from pathlib import Path

from flask import abort, current_app, g

from blocks.content_tree import library_folder
from blocks.publication import SLUG
from blocks.registry import BLOCK_TYPES
from common.problems import Problem
from studio import documents, drafts, forms
from studio.draft_renders import DraftCache, DraftRenders


@dataclass
class BlockView:
    index: int
    key: str
    kind: str                     # the block type, "include" or "" when it has none
    title: str
    fields: list = field(default_factory=list)
    include: str = ""             # the library block's name
    library: list = field(default_factory=list)   # (label, value) of an included block, read-only


@dataclass
class Workspace:
    publication: str
    issue: str
    folder: Path
    shown: str                    # the file as problems name it, e.g. newsletters/equity/x/issue.yaml
    draft: drafts.Draft
    parsed: object = None         # the draft's round-trip data, parsed when first needed (see `data`)
    problems: list[Problem] = field(default_factory=list)
    marks: bool = False           # the data's line and column marks are the draft text's

    @property
    def data(self):
        """The draft's round-trip data (studio/documents.py); the preview's requests never need it."""
        if self.parsed is None:
            self.parsed, self.marks = self.renders.parsed(self.draft.text)
        return self.parsed

    @data.setter
    def data(self, value) -> None:
        self.parsed = value

    @property
    def library(self) -> Path:
        """The library of standing blocks this issue includes from (NEWSLETTER_LIBRARY, else beside it)."""
        return library_folder(self.folder, current_app.config["studio"].settings.library)

    @property
    def path(self) -> Path:
        return self.folder / "issue.yaml"

    def store_text(self, text: str, *, undo: str | None = None, data=None, marks: bool = False) -> None:
        """Keep `text` as the draft (`data`: what it parses to, when the caller has it; `marks`: its
        line and column marks are this text's)."""
        studio = current_app.config["studio"]
        drafts.keep(studio.store, g.staff.id, self.publication, self.issue, text, studio.clock(), undo=undo)
        self.draft = drafts.Draft(text, self.draft.base_hash, self.draft.undo if undo is None else undo)
        if data is None:
            self.parsed, self.marks = self.renders.parsed(text)
        else:
            self.parsed, self.marks = data, marks
        self.renders.keep_parsed(text, self.parsed, self.marks)
        self.check()

    def store_data(self, *, undo: str | None = None) -> None:
        """Keep the changed data as the draft (written whole: its marks are the old text's)."""
        self.store_text(documents.dump(self.data), undo=undo, data=self.data)

    def store_value(self, key: str, value) -> bool:
        """Put `value` at `key` and keep the draft; only that value's text is rewritten when it can be
        (documents.patch_scalar), else the whole data. False if nothing changed."""
        patched = documents.patch_scalar(self.draft.text, self.data, key, value) if self.marks else None
        if not documents.put(self.data, key, value):
            return False
        if patched is not None:
            self.store_text(patched, data=self.data, marks=True)
        else:
            self.store_data()
        return True

    @property
    def renders(self) -> DraftRenders:
        """This draft checked and rendered by the preview's engine, kept warm between requests."""
        studio = current_app.config["studio"]
        cache = current_app.extensions.setdefault("studio_draft_renders", DraftCache())
        return cache.get((g.staff.id, self.publication, self.issue), self.folder, self.shown,
                         studio.settings.library, saved_text=lambda: _read(self.path))

    def check(self) -> None:
        self.problems = self.renders.update(self.draft.text)

    def warnings(self, langs=None) -> list:
        """The preview's warnings (preview/checks.py) of the languages `langs` (the first if None)
        for the draft as it is, or for its last version without problems."""
        renders = self.renders
        chosen = [lang for lang in (langs or []) if lang in renders.languages()] or renders.languages()[:1]
        return renders.warnings(chosen)

    @property
    def changed(self) -> bool:
        return documents.file_digest(self.path) != documents.digest(self.draft.text)

    def issue_fields(self):
        return forms.issue_form(self.data)

    def blocks(self) -> list[BlockView]:
        views = []
        for i, block in enumerate(self.data.get("blocks") or []):
            key = f"blocks[{i}]"
            if isinstance(block, dict) and "include" in block:
                views.append(BlockView(i, key, "include", f"Library block: {block.get('include')}",
                                       include=str(block.get("include")), library=_library(block.get("include"), self.library)))
                continue
            kind = block.get("type") if isinstance(block, dict) else ""
            title = (block.get("heading") or block.get("title") or block.get("text") or block.get("id") or "") \
                if isinstance(block, dict) else ""
            views.append(BlockView(i, key, str(kind or ""), str(title),
                                   forms.block_form(self.data, i) if isinstance(block, dict) else []))
        return views

    def placed(self, nodes_keys: set[str]) -> tuple[dict[str, list[Problem]], list[tuple[str, Problem]]]:
        """Problems by the slot of the field (or block, or issue) they concern, and the whole list with
        each one's slot."""
        at: dict[str, list[Problem]] = {}
        listing = []
        for problem in self.problems:
            key = _nearest(problem.key, nodes_keys) if problem.file == self.shown else ""
            at.setdefault(key, []).append(problem)
            listing.append((key, problem))
        return at, listing

    def placed_warnings(self, findings, nodes_keys: set[str], label_warned: set[str] = frozenset()):
        """The preview's warnings by the slot of the field (else block, else issue) they concern, and
        the whole list with each one's slot. A warning about a block goes to the field whose text it
        quotes (a vague link's label, a faint text, a token), else to the block."""
        at: dict[str, list] = {}
        listing = []
        blocks = self.data.get("blocks") or []
        index = {}
        for i, block in enumerate(blocks if isinstance(blocks, list) else []):
            if isinstance(block, dict):
                for name in (block.get("id"), block.get("include")):
                    if name is not None:
                        index.setdefault(str(name), i)
        for finding in findings:
            places = []
            if finding.where in index:
                places = [_quoted_field(blocks[index[finding.where]], f"blocks[{index[finding.where]}]", finding.message)]
            elif finding.where == "subject":
                places = ["subject"]
            elif finding.where == "translations" and ": " in finding.message:
                named = [name.strip() for name in finding.message.split(": ", 1)[1].split(",")]
                places = [f"blocks[{index[name]}]" for name in named if name in index]
            for place in places or [""]:
                key = _nearest(place, nodes_keys)
                if key in label_warned and finding.message.startswith("link text"):
                    continue                  # the form already says so at the label
                at.setdefault(key, []).append(finding)
                listing.append((key, finding))
        return at, listing

    def slot_keys(self, blocks: list[BlockView], issue_fields) -> set[str]:
        keys = {""} | {view.key for view in blocks}
        for node in [*issue_fields, *(n for view in blocks for n in view.fields)]:
            keys.update(node.keys())
        return keys

    def todos(self):
        return forms.todos(self.data)

    def languages(self) -> list[str]:
        languages = self.data.get("languages") or ["en"]
        return [str(lang) for lang in (languages if isinstance(languages, list) else [languages])]


def _leaves(data, key: str):
    if isinstance(data, dict):
        for name, value in data.items():
            yield from _leaves(value, f"{key}.{name}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _leaves(value, f"{key}[{i}]")
    elif isinstance(data, str):
        yield key, data


def _quoted_field(block, key: str, message: str) -> str:
    """The field of `block` holding the text `message` quotes ('...'), or a token it names."""
    quoted = re.findall(r"'([^']+)'", message) + re.findall(r"__[A-Z_]+__|\{\{[^}]*\}\}", message)
    for text in quoted:
        text = text.rstrip(".…").strip()
        for leaf, value in _leaves(block, key):
            if text and text in value and not leaf.endswith((".id", ".type")):
                return leaf
    return key


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _nearest(key: str, keys: set[str]) -> str:
    parts = documents.parse_path(key)
    while parts:
        joined = documents.join(parts)
        if joined in keys:
            return joined
        parts = parts[:-1]
    return ""


def _library(name, library: Path) -> list[tuple[str, str]]:
    if not isinstance(name, str) or not (library / f"{name}.yaml").is_file():
        return []
    path = library / f"{name}.yaml"
    if not path.is_file():
        return []
    found = path.stat()
    return _library_fields(str(path), found.st_mtime_ns, found.st_size)


@lru_cache(maxsize=64)
def _library_fields(path: str, _mtime: int, _size: int) -> list[tuple[str, str]]:
    data = documents.load(Path(path).read_text(encoding="utf-8"))
    return [(forms.label_of(k), v if isinstance(v, str) else f"{len(v)} items" if isinstance(v, list) else str(v))
            for k, v in data.items() if k != "type"]


def library_names(library: Path) -> list[str]:
    return sorted(p.stem for p in library.glob("*.yaml"))


def block_types() -> list[str]:
    return sorted(name for name, module in BLOCK_TYPES.items() if module.NAME == name)


def open_issue(publication: str, issue: str) -> Workspace:
    """The signed-in person's workspace for newsletters/<publication>/<issue>/ (404 if no such issue)."""
    studio = current_app.config["studio"]
    folder = studio.folder(publication) / issue
    if not SLUG.fullmatch(issue) or not (folder / "issue.yaml").is_file():
        abort(404)
    shown = shown_path(folder / "issue.yaml")
    draft = drafts.current(studio.store, g.staff.id, publication, issue, folder / "issue.yaml", studio.clock())
    workspace = Workspace(publication, issue, folder, shown, draft)
    workspace.check()
    return workspace


def shown_path(path: Path) -> str:
    """The file as `check` names it: relative to the current folder where it can be."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def fresh_id(data, kind: str) -> str:
    used = {str(b.get("id")) for b in data.get("blocks") or [] if isinstance(b, dict)}
    base = re.sub(r"[^a-z0-9-]", "-", kind.lower())[:50] or "block"
    number = 1
    while f"{base}-{number}" in used:
        number += 1
    return f"{base}-{number}"
