"""Forms generated from the block schemas: a block type's declaration (blocks/types/<name>.py) is
the only source of its form, so a new block type gets a working form with no studio change.

`block_form(data, i)` / `issue_form(data, languages)` turn the draft's data into a tree of `Node`s
(templates/_fields.html draws them); `kind_at(data, key)` finds the kind a posted field has, and
`from_form(kind, text)` turns what the browser sent into the value written to issue.yaml.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from blocks import kinds, kinds_time
from blocks.loader import ISSUE_FIELDS
from blocks.markdown import VAGUE_LINK_TEXT
from blocks.registry import BLOCK_TYPES
from blocks.schema import Field, Schema
from studio import documents

BLOCK_ID = Field(kinds.Text(translatable=False), required=True,
                 help="a short name of lowercase letters, digits and dashes; translations follow it")
NATIVE = {"date": r"\d{4}-\d{2}-\d{2}", "datetime-local": r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}",
          "time": r"\d{1,2}:\d{2}", "month": r"\d{4}-\d{2}", "color": r"#[0-9a-fA-F]{6}"}
ISSUE_SETTINGS = ("title", "period", "subject", "preheader", "fallback")


@dataclass
class Node:
    key: str                      # the path check reports, e.g. blocks[3].links[0].url
    label: str
    widget: str                   # text, textarea, url, email, tel, checkbox, select, date, ..., group, rows
    value: Any = ""
    required: bool = False
    help: str = ""
    options: tuple = ()
    children: list["Node"] = field(default_factory=list)
    scalar_rows: bool = False     # rows of single values (not groups)
    warning: str = ""
    upload: bool = False          # a picture (blocks/types/common.py IMAGE): the group offers an upload

    @property
    def slot(self) -> str:
        return slot(self.key)

    @property
    def id(self) -> str:
        return "f-" + self.slot[2:]

    def keys(self):
        yield self.key
        for child in self.children:
            yield from child.keys()


def slot(key: str) -> str:
    return "p-" + (re.sub(r"[^A-Za-z0-9_]+", "-", key).strip("-") or "issue")


LABELS = {"alt": "Alt text"}           # where a field's name alone would puzzle someone new to it


def label_of(name: str | int) -> str:
    return LABELS.get(str(name)) or str(name).replace("_", " ").capitalize()


def widget_of(kind) -> str:
    if isinstance(kind, Schema):
        return "group"
    if isinstance(kind, kinds.ListOf):
        return "rows"
    for cls, widget in ((kinds.Markdown, "textarea"), (kinds.Bool, "checkbox"), (kinds.Choice, "select"),
                        (kinds_time.DateTime, "datetime-local"), (kinds_time.Date, "date"),
                        (kinds_time.Time, "time"), (kinds_time.Month, "month"), (kinds.Url, "url"),
                        (kinds.Email, "email"), (kinds.Phone, "tel"), (kinds.Integer, "number"),
                        (kinds.Color, "color")):
        if isinstance(kind, cls):
            return widget
    return "text"


def node(kind, value, key: str, label: str, spec: Field | None = None) -> Node:
    widget = widget_of(kind)
    made = Node(key, label, widget, required=bool(spec and spec.required), help=spec.help if spec else "")
    if widget == "group":
        made.children = [node(sub.kind, documents.get(value, [name]) if isinstance(value, dict) else None,
                              documents.join([*documents.parse_path(key), name]), label_of(name), sub)
                         for name, sub in kind.fields.items()]
        if kind.name == "link":
            _vague(made)
        made.upload = kind.name == "image"
        return made
    if widget == "rows":
        items = value if isinstance(value, list) else ([] if value in (None, "") else [value])
        made.scalar_rows = not isinstance(kind.item, Schema)
        made.children = [node(kind.item, item, f"{key}[{i}]", f"{label} {i + 1}") for i, item in enumerate(items)]
        return made
    if widget == "checkbox":
        made.value = value is True or (value is None and spec is not None and spec.default is True)
        return made
    text = "" if value is None else str(value)
    if widget == "select":
        made.options = tuple(kind.options)
    if widget in NATIVE:
        if text.startswith(kinds.TODO):
            text = ""                                    # its problem says what goes there
        elif text and not re.fullmatch(NATIVE[widget], text):
            widget = "text"                              # show what is written, not an empty box
        elif widget == "datetime-local":
            text = text.replace(" ", "T")
        elif widget == "time":
            text = text.zfill(5)
    made.widget, made.value = widget, text
    return made


def _vague(link: Node) -> None:
    for child in link.children:
        if child.key.endswith(".label") and str(child.value).lower().strip(" .!:") in VAGUE_LINK_TEXT:
            child.warning = "These words do not say where the link goes: screen readers list links on their own."


def block_schema(block) -> Schema | None:
    module = BLOCK_TYPES.get(block.get("type")) if isinstance(block, dict) else None
    return module.SCHEMA if module is not None else None


def block_form(data, index: int) -> list[Node]:
    block = documents.get(data, ["blocks", index])
    schema = block_schema(block)
    key = f"blocks[{index}]"
    fields = [node(BLOCK_ID.kind, block.get("id"), f"{key}.id", "Block id", BLOCK_ID)]
    if schema is not None:
        fields += [node(spec.kind, block.get(name), f"{key}.{name}", label_of(name), spec)
                   for name, spec in schema.fields.items()]
    return fields


def issue_form(data) -> list[Node]:
    return [node(ISSUE_FIELDS.fields[name].kind, data.get(name), name, label_of(name), ISSUE_FIELDS.fields[name])
            for name in ISSUE_SETTINGS]


def kind_at(data, key: str):
    """The kind of the field at `key` in the draft, or None when nothing there takes a value."""
    parts = documents.parse_path(key)
    if not parts:
        return None
    if parts[0] != "blocks":
        if parts[0] not in ISSUE_SETTINGS or len(parts) != 1:
            return None
        return ISSUE_FIELDS.fields[parts[0]].kind
    if len(parts) < 3 or not isinstance(parts[1], int):
        return None
    if parts[2:] == ["id"]:
        return BLOCK_ID.kind
    kind = block_schema(documents.get(data, parts[:2]))
    for part in parts[2:]:
        if isinstance(kind, Schema) and isinstance(part, str) and part in kind.fields:
            kind = kind.fields[part].kind
        elif isinstance(kind, kinds.ListOf) and isinstance(part, int):
            kind = kind.item
        else:
            return None
    return kind


def from_form(kind, text: str | None):
    """What the browser sent, as issue.yaml holds it ("" or None: the key goes)."""
    if isinstance(kind, kinds.Bool):
        return text in ("on", "true", "1")
    if text is None:
        return None
    if isinstance(kind, kinds.Markdown):
        return documents.paragraphs(text)
    text = text.strip()
    if isinstance(kind, kinds.Integer) and re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def empty_item(kind):
    """A new row of a list of `kind`."""
    from ruamel.yaml.comments import CommentedMap
    return CommentedMap() if isinstance(kind, Schema) else ""


def todos(data, key: str = "") -> list[tuple[str, str]]:
    """(key, text) of every value still saying TODO: (what `compose.py new` left to fill in)."""
    found = []
    if isinstance(data, dict):
        for name, value in data.items():
            found += todos(value, f"{key}.{name}" if key else str(name))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += todos(value, f"{key}[{i}]")
    elif isinstance(data, str) and data.strip().startswith(kinds.TODO):
        found.append((key, data.strip()))
    return found
