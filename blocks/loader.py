"""Read an issue folder into a validated Issue, collecting every problem at once."""
from __future__ import annotations

import difflib
import re
from pathlib import Path

from blocks import publication as publication_settings
from common.errors import NewsletterError
from common.problems import Problem
from blocks.i18n.catalogs import translated_languages
from blocks.i18n.policy import MachinePolicyKind
from blocks.kinds import Choice, Language, ListOf, Text
from blocks.model import Block, Issue
from blocks.content_tree import (FILE_NAME, RESERVED, ROOT, default_slug, is_library, issue_folders, issue_key,
                                 library_folder, publication_folders, sharing_slug)
from blocks.registry import BLOCK_TYPES
from blocks.schema import Field, Schema, join_key
from common.yaml_source import Located, display_path, load_yaml

_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
RESERVED_IDS = {"issue", "publication", "library"}  # used as translation contexts

ISSUE_FIELDS = Schema({
    "title": Field(Text(), required=True, help="e.g. 'Information, Announcements & Opportunities'"),
    "period": Field(Text(), required=True, help="e.g. 'September/October 2021'"),
    "subject": Field(Text(max_length=150), required=True, help="the email subject line"),
    "preheader": Field(Text(max_length=200), required=True,
                       help="the grey preview line shown after the subject in the inbox"),
    "languages": Field(ListOf(Language()), default=("en",), help="e.g. [en, es, ar]"),
    "fallback": Field(Choice(("english", "hold")),
                      help="overrides the publication's fallback for this issue: english or hold"),
    "machine": Field(MachinePolicyKind(), help="overrides the publication's machine-translation policy: send or "
                                               "hold, for every language or per language"),
}, name="issue")  # plus 'blocks', checked block by block in _load_blocks


class _Reporter:
    """Turns (key, message, hint) into Problems located in one file."""

    def __init__(self, doc: Located, problems: list[Problem]):
        self.doc, self.problems, self.file = doc, problems, display_path(doc.path)

    def __call__(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.file, key, message, hint, self.doc.line(key)))


def load_issue(issue_dir: Path | str, library_dir: Path | str | None = None) -> Issue:
    """Load and validate newsletters/<publication>/<issue>/; raise NewsletterError listing every problem.

    Included blocks come from `library_dir` (the setting NEWSLETTER_LIBRARY), by default the
    newsletters folder's library/ (publications.library_folder); the Issue keeps it as `library`,
    where the library blocks' translations are stored too."""
    issue_dir = Path(issue_dir)
    problems: list[Problem] = []
    if not issue_dir.is_dir():
        raise NewsletterError([Problem(display_path(issue_dir), "", "no such issue folder",
                                 "give the folder holding issue.yaml, e.g. newsletters/equity/2021-09-sept-oct")])
    _check_layout(issue_dir, problems)
    if problems:
        raise NewsletterError(problems)
    publication = _load_publication(issue_dir.parent / FILE_NAME, problems)
    doc, found = load_yaml(issue_dir / "issue.yaml")
    problems += found
    issue = None
    if doc is not None:
        issue = _build_issue(issue_dir, doc, publication, problems, library_dir)
    if problems:
        raise NewsletterError(problems)
    return issue


def _check_layout(issue_dir: Path, problems: list[Problem]) -> None:
    """publication.yaml belongs beside the issues, never inside one (it would be ignored)."""
    here, beside = issue_dir / FILE_NAME, issue_dir.parent / FILE_NAME
    if is_library(issue_dir) and not (issue_dir / "issue.yaml").exists():
        problems.append(Problem(display_path(issue_dir), "", "this is the library of standing blocks, not an issue's folder",
                                "give an issue's folder, e.g. newsletters/equity/2021-09-sept-oct; issues include "
                                "library blocks with '- include: <name>'"))
    elif here.exists() and not (issue_dir / "issue.yaml").exists():
        issues = [f.name for f in issue_folders(issue_dir)]
        problems.append(Problem(display_path(issue_dir), "", "this is a publication's folder, not an issue's",
                                f"give one of its issues, e.g. {display_path(issue_dir / issues[-1])}" if issues else
                                f"create an issue: python compose.py new {display_path(issue_dir)}/<issue>"))
    elif here.exists():
        problems.append(Problem(display_path(here), "", "publication.yaml inside an issue folder is not read",
                                f"move it beside the issues, to {display_path(beside)} (one per publication: "
                                "newsletters/<publication>/publication.yaml)"))
    elif not beside.exists():
        problems.append(Problem(display_path(beside), "", "no publication.yaml beside this issue",
                                "issues live in newsletters/<publication>/<issue>/ with newsletters/<publication>/"
                                f"publication.yaml; create it: python compose.py new-publication "
                                f"{display_path(issue_dir.parent)}"))


def load_publication(path: Path | str = Path("newsletters") / "equity" / FILE_NAME):
    """Only the publication settings (for the preference center); NewsletterError if they are wrong."""
    problems: list[Problem] = []
    publication = _load_publication(Path(path), problems)
    if problems:
        raise NewsletterError(problems)
    return publication


def load_publications(root: Path | str = ROOT) -> dict[Path, object]:
    """Every publication in `root` (newsletters/): {its folder: its settings}; NewsletterError
    listing every problem of every publication.yaml at once."""
    problems: list[Problem] = []
    found = {folder: _load_publication(folder / FILE_NAME, problems) for folder in publication_folders(Path(root))}
    if problems:
        raise NewsletterError(problems)
    return found


def issue_key_for(issue_dir: Path | str) -> str:
    """"<publication>/<issue>" of a folder, reading only its publication.yaml (for reports of sent issues)."""
    issue_dir = Path(issue_dir)
    return issue_key(load_publication(issue_dir.parent / FILE_NAME).slug, issue_dir.resolve().name)


def _load_publication(path: Path, problems: list[Problem]):
    doc, found = load_yaml(path)
    problems += found
    if doc is None:
        return None
    report = _Reporter(doc, problems)
    record = publication_settings.SCHEMA.validate(doc.data, "", report)
    if record is None:
        return None
    record = record.replace(slug=record.slug or default_slug(path.parent, record.name))
    if record.slug in RESERVED:
        report("slug", f"'{record.slug}' is an address the preference center uses itself",
               "set another slug: in this file (or rename the publication's folder)")
    for other in sharing_slug(path.parent, record.slug):
        report("slug", f"'{record.slug}' is also the slug of {display_path(other / FILE_NAME)}: the two publications "
               "would share one send log, one list of families and one web address",
               "give each publication its own slug: (by default, its folder's name)")
    return record


def _build_issue(issue_dir: Path, doc: Located, publication, problems: list[Problem],
                 library_dir: Path | str | None) -> Issue | None:
    report = _Reporter(doc, problems)
    raw = doc.data if isinstance(doc.data, dict) else {}
    if not isinstance(doc.data, dict):
        report("", "an issue file must be a mapping of fields", "start with 'title: ...'")
    fields = ISSUE_FIELDS.validate({k: v for k, v in raw.items() if k != "blocks"}, "", report)
    library = library_folder(issue_dir, library_dir)
    blocks = _load_blocks(raw.get("blocks"), doc, report, problems, library)
    for block in blocks or ():
        image = block.fields.get("image") if block.library is None else None
        if image and not (issue_dir / image.file).is_file():
            report(join_key(block.key, "image.file"), f"no picture {image.file} beside the issue",
                   f"put it in {display_path(issue_dir / 'images')}/ (the studio does when you upload one)")
            blocks = None
    if publication is not None and fields is not None:
        for i, lang in enumerate(fields.languages):
            if lang not in publication.languages:
                report(f"languages[{i}]", f"'{lang}' is not one of the publication's languages "
                       f"({', '.join(publication.languages)})", f"add it to languages in {display_path(issue_dir.parent / FILE_NAME)}")
    if fields is None or blocks is None or publication is None:
        return None
    added = tuple(lang for lang in translated_languages(issue_dir, publication.languages)
                  if lang not in fields.languages)
    machine = fields.machine.over(publication.machine) if fields.machine else publication.machine
    return Issue(slug=issue_dir.resolve().name, path=issue_dir, title=fields.title, period=fields.period,
                 subject=fields.subject, preheader=fields.preheader, languages=tuple(fields.languages) + added,
                 blocks=tuple(blocks), publication=publication,
                 fallback=fields.fallback or publication.fallback, machine=machine, added_languages=added,
                 library=library)


def _load_blocks(raw, doc: Located, report, problems, library: Path) -> list[Block] | None:
    if not raw:
        report("blocks", "the issue has no blocks", "add a 'blocks:' list, each item with 'type:' and 'id:'")
        return None
    if not isinstance(raw, list):
        report("blocks", "'blocks' must be a list", "start each block with '- type: ...'")
        return None
    before = len(problems)
    blocks, seen = [], {}
    for i, item in enumerate(raw):
        key = f"blocks[{i}]"
        block = _include(item, key, report, problems, library) if isinstance(item, dict) and "include" in item \
            else _block(item, key, report, doc)
        if block is None:
            continue
        if block.id in seen:
            report(join_key(key, "id"), f"id '{block.id}' is already used by {seen[block.id]}",
                   "give every block its own id (ids match translations to blocks)")
        seen[block.id] = key
        blocks.append(block)
    return blocks if len(problems) == before else None


def _block(item, key: str, report, doc: Located, default_id: str | None = None,
           library: str | None = None) -> Block | None:
    if not isinstance(item, dict):
        report(key, "a block must be a mapping with 'type:' and 'id:'", "write '- type: text' and its fields below")
        return None
    kind = item.get("type")
    module = BLOCK_TYPES.get(kind) if isinstance(kind, str) else None
    block_id = item.get("id", default_id)
    ok = True
    if module is None:
        ok = False
        close = difflib.get_close_matches(str(kind), BLOCK_TYPES, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"block types: {', '.join(sorted(BLOCK_TYPES))}"
        what = "has no 'type'" if kind is None else f"unknown block type '{kind}'"
        report(join_key(key, "type"), what, hint)
    if not isinstance(block_id, str) or not _ID.fullmatch(block_id) or block_id in RESERVED_IDS:
        ok = False
        report(join_key(key, "id"), "missing or invalid block id" if block_id is None else f"invalid block id '{block_id}'",
               "give the block a short name of lowercase letters, digits and dashes, e.g. id: kickoff "
               "(not issue, publication or library)")
    if module is None:
        return None
    body = {k: v for k, v in item.items() if k not in ("type", "id")}
    fields = module.SCHEMA.validate(body, key, report)
    if not ok or fields is None:
        return None
    return Block(type=kind, template=module.NAME, id=block_id, fields=fields,
                 source=display_path(doc.path), key=key, line=doc.line(key), library=library)


def _include(item: dict, key: str, report, problems, library: Path) -> Block | None:
    name = item.get("include")
    extra = set(item) - {"include", "id"}
    if extra:
        report(f"{key}.{sorted(extra)[0]}", "an included block cannot change fields here",
               f"edit {display_path(library / f'{name}.yaml')}, or copy the block into the issue")
        return None
    if not library.is_dir():
        report(f"{key}.include", f"'{name}' is a library block, and there is no library folder {display_path(library)}/",
               f"put the library there (an install from before it moved: git mv blocks/library {display_path(library)}), "
               "set NEWSLETTER_LIBRARY to the library's folder, or copy the block into the issue")
        return None
    available = sorted(p.stem for p in library.glob("*.yaml"))
    if not isinstance(name, str) or name not in available:
        close = difflib.get_close_matches(str(name), available, n=1)
        report(f"{key}.include", f"no library block '{name}' in {display_path(library)}/",
               f"did you mean '{close[0]}'?" if close else f"library blocks: {', '.join(available) or 'none yet'}")
        return None
    doc, found = load_yaml(library / f"{name}.yaml")
    problems += found
    if doc is None:
        return None
    return _block(doc.data, "", _Reporter(doc, problems), doc, default_id=item.get("id", name), library=name)
