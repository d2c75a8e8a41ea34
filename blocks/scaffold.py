"""Start an issue from the previous one (`compose.py new`), or a publication (`new-publication`).

A new issue keeps the previous issue's structure: its settings, its blocks in order, standing
blocks (library includes, partners, contacts, resources) as they were. What belongs to one
issue only - the period, subject and preheader, events, dated entries, the welcome letter - is
replaced by a `TODO: ...` saying what goes there; `check` refuses every TODO left, with its
line. Translations (i18n/) are not copied: they translate the previous issue's texts.
"""
from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from blocks.kinds import TODO
from blocks.publication import SLUG
from blocks.content_tree import FILE_NAME, LIBRARY, is_library, issue_folders
from blocks.scaffold_publication import publication_yaml
from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path, load_yaml

ISSUE_FILE = "issue.yaml"
DATE = f"{TODO} date, as YYYY-MM-DD"
DATETIME = f"{TODO} date and time, as YYYY-MM-DDTHH:MM (24-hour)"
LINK = {"label": f"{TODO} the words people click, saying where the link goes", "url": f"{TODO} https://..."}
ISSUE_TODOS = {"period": f"{TODO} e.g. November 2021", "subject": f"{TODO} the email subject line",
               "preheader": f"{TODO} the grey line shown after the subject in the inbox"}


@dataclass(frozen=True)
class Started:
    folder: Path
    source: Path | None           # the issue it was started from
    todos: list[tuple[int, str]]  # (line, text) of each TODO in issue.yaml


def _todo(block: dict, name: str, what: str) -> None:
    if name in block:
        block[name] = f"{TODO} {what}"


def _event(block: dict) -> dict:
    for name, what in (("title", "the event's title"), ("body", "what it is and who it is for, in Markdown"),
                       ("when", "when, for events without an exact time, e.g. 'All of November'"),
                       ("registration_label", "the registration button's words")):
        _todo(block, name, what)
    block["title"] = block.get("title") or f"{TODO} the event's title"
    for name in ("start", "end"):
        if name in block:
            block[name] = DATETIME
    if "registration" in block:
        block["registration"] = LINK["url"]
    if "links" in block:
        block["links"] = [dict(LINK)]
    return block


def _intro(block: dict) -> dict:
    for name, what in (("heading", "the welcome heading"), ("subheading", "a line under it, or delete this line"),
                       ("body", "a few paragraphs for this issue, in Markdown")):
        _todo(block, name, what)
    return block


def _foodshare(block: dict) -> dict:
    _todo(block, "heading", "e.g. Foodshare food distributions in November")
    _todo(block, "month", "the month, as YYYY-MM")
    for name in ("start_date", "end_date"):
        if name in block:
            block[name] = DATE
    entries = []
    for entry in block.get("distributions") or []:   # weekly ones stay; one-day ones need their new date
        if isinstance(entry, dict):
            entry = {k: v for k, v in entry.items() if k != "except"}
            if "date" in entry:
                entry["date"] = DATE
        entries.append(entry)
    block["distributions"] = entries
    return block


def _nutrition(block: dict) -> dict:
    _todo(block, "body", "this month's news, in Markdown")
    for menu in block.get("menus") or []:
        if isinstance(menu, dict):
            _todo(menu, "label", "e.g. Elementary school menus for November")
    if isinstance(block.get("application"), dict) and "deadline" in block["application"]:
        block["application"]["deadline"] = DATE
    for deadline in block.get("deadlines") or []:
        if isinstance(deadline, dict):
            deadline["date"] = DATE
    return block


# What a block of each type keeps; types not listed are standing content, copied as they are.
DATED = {"event": _event, "intro": _intro, "foodshare_calendar": _foodshare, "nutrition_update": _nutrition}


def next_issue(previous: dict) -> dict:
    """The previous issue's data with what belongs to that issue only replaced by TODOs."""
    data = {name: (ISSUE_TODOS[name] if name in ISSUE_TODOS else value)
            for name, value in previous.items() if name != "blocks"}
    for name, value in ISSUE_TODOS.items():
        data.setdefault(name, value)
    data["blocks"] = [DATED[item["type"]](dict(item)) if isinstance(item, dict) and item.get("type") in DATED
                      else item for item in previous.get("blocks") or []]
    return data


FIRST_ISSUE = {"title": f"{TODO} the newsletter's title, the same in every issue", "languages": ["en"],
               "blocks": [{"type": "intro", "id": "welcome", "heading": "", "body": ""}]}   # _intro fills them


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)     # lists indented under their key


def _list(dumper, items):
    short = all(isinstance(i, str) and "\n" not in i and ":" not in i for i in items) and len(str(items)) < 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", items, flow_style=short)


_Dumper.add_representer(list, _list)
_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else '"' if text.startswith(TODO) else None))


def dump(data: dict) -> str:
    """YAML as staff write it: keys in their order, paragraphs as | blocks, a blank line between blocks."""
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10_000, indent=2)
    return text.replace("\nblocks:\n", "\n\nblocks:\n").replace("\n  - ", "\n\n  - ").replace(
        "\nblocks:\n\n", "\nblocks:\n")


def todo_lines(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), 1) if TODO in line]


def _refuse(path: Path, message: str, hint: str) -> NewsletterError:
    return NewsletterError([Problem(display_path(path), "", message, hint)], outcome="nothing was written")


def _previous(publication: Path, source: Path | None) -> Path | None:
    if source is not None:
        if not (source / ISSUE_FILE).is_file():
            raise _refuse(source, "no issue.yaml here to start from",
                          "give --from the folder of an issue, e.g. " +
                          (display_path(issue_folders(publication)[-1]) if issue_folders(publication)
                           else "newsletters/<publication>/<issue>"))
        return source
    issues = issue_folders(publication)
    return issues[-1] if issues else None


def new_issue(folder: Path, source: Path | None = None, today: dt.date | None = None) -> Started:
    """Write folder/issue.yaml from `source` (default: the publication's newest issue by name)."""
    folder = Path(folder)
    publication = folder.parent
    if folder.exists():
        raise _refuse(folder, "this folder already exists",
                      "choose a new name for the issue, e.g. the month: " + display_path(publication / "2021-11-nov"))
    if is_library(publication) and not (publication / FILE_NAME).is_file():
        raise _refuse(publication, "this is the library of standing blocks: issues are not written there",
                      "give newsletters/<publication>/<issue>, e.g. newsletters/equity/2021-11-nov")
    if not (publication / FILE_NAME).is_file():
        raise _refuse(publication / FILE_NAME, "no publication.yaml: an issue belongs to a publication",
                      f"create it first: python compose.py new-publication {display_path(publication)}")
    if not SLUG.fullmatch(folder.name):
        raise _refuse(folder, f"'{folder.name}' cannot be part of a web address",
                      "name the issue folder with lowercase letters, digits and dashes, e.g. 2021-11-nov")
    source = _previous(publication, source)
    if source is None:
        data = next_issue(FIRST_ISSUE)
        origin = "as a first issue"
    else:
        doc, problems = load_yaml(source / ISSUE_FILE)
        if doc is None or not isinstance(doc.data, dict):
            raise NewsletterError(problems or [Problem(display_path(source / ISSUE_FILE), "",
                                                       "not an issue (a mapping of fields)", "give another --from")])
        data = next_issue(doc.data)
        origin = f"from {display_path(source)}"
    when = (today or dt.date.today()).isoformat()
    text = (f"# Started {origin} by `python compose.py new` on {when}.\n"
            f"# Replace every TODO; `python compose.py check {display_path(folder)}` lists those left.\n"
            + dump(data))
    _write_folder(folder, {ISSUE_FILE: text})
    return Started(folder, source, todo_lines(text))


def new_publication(folder: Path) -> Path:
    """Write folder/publication.yaml with every key explained and SAMPLE on the values to confirm."""
    folder = Path(folder)
    path = folder / FILE_NAME
    if path.exists():
        raise _refuse(path, "publication.yaml already exists", "edit it, or give a new folder")
    if folder.name == LIBRARY:
        raise _refuse(folder, f"'{LIBRARY}' is the folder of the standing blocks every issue may include, "
                      "not a publication's", "give the publication's folder another name, e.g. newsletters/school-library "
                      "(its slug: can still be 'library')")
    if not SLUG.fullmatch(folder.name):
        raise _refuse(folder, f"'{folder.name}' cannot be part of a web address (it is the publication's slug)",
                      "name the folder with lowercase letters, digits and dashes, e.g. newsletters/special-ed")
    folder.mkdir(parents=True, exist_ok=True)
    _write_file(path, publication_yaml(folder.name, display_path(folder)))
    return path


def _write_folder(folder: Path, files: dict[str, str]) -> None:
    """The folder with its files, or nothing (written beside it, then renamed)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    staging.chmod(0o755)
    for name, text in files.items():
        (staging / name).write_text(text, encoding="utf-8")
    os.rename(staging, folder)


def _write_file(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.new")
    staging.write_text(text, encoding="utf-8")
    os.replace(staging, path)
