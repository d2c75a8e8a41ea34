"""The translatable texts of an issue ("units"), each named by a stable context.

Contexts are what PO files use as msgctxt:
  issue.subject, issue.preheader, ...       fields of issue.yaml
  publication.footer, publication.name      fields of newsletters/<publication>/publication.yaml
  <block id>.<field path>                   e.g. kickoff.title, kickoff.links[0].label
  library/<name>.<field path>               blocks included from newsletters/library/, translated once
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from blocks import kinds
from blocks.model import Block, Issue
from blocks.publication import SCHEMA as PUBLICATION_SCHEMA
from blocks.record import Record
from blocks.registry import BLOCK_TYPES
from blocks.schema import Schema

ISSUE_FIELDS = ("title", "period", "subject", "preheader")
_MODULES = {module.NAME: module for module in BLOCK_TYPES.values()}


@dataclass(frozen=True)
class Unit:
    owner: str          # "issue", "publication" or a block id: what a status is reported for
    context: str        # msgctxt
    path: str           # field path inside the owner, e.g. links[0].label
    source: str         # the English text
    markdown: bool      # Markdown text (links and emphasis must survive translation)
    note: str           # what the translator should know
    location: tuple[str, int]

    @property
    def words(self) -> int:
        return len(self.source.split())


def walk(schema: Schema, record: Record, path: str = "") -> Iterator[tuple[str, str, object]]:
    """(field path, text, kind) for every translatable text in a validated record."""
    for name, spec in schema.fields.items():
        yield from _walk_value(spec.kind, record.get(name), f"{path}.{name}" if path else name)


def _walk_value(kind, value, path):
    if value is None or value == "":
        return
    if isinstance(kind, Schema):
        yield from walk(kind, value, path)
    elif isinstance(kind, kinds.ListOf):
        for i, item in enumerate(value):
            yield from _walk_value(kind.item, item, f"{path}[{i}]")
    elif getattr(kind, "translatable", False):
        yield path, value, kind


def block_prefix(block: Block) -> str:
    return f"library/{block.library}" if block.library else block.id


def block_units(block: Block) -> list[Unit]:
    schema = _MODULES[block.template].SCHEMA
    prefix = block_prefix(block)
    described = f"the '{block.id}' {block.type} block"
    return [Unit(owner=block.id, context=f"{prefix}.{path}", path=path, source=text,
                 markdown=isinstance(kind, kinds.Markdown), note=_note(described, path, kind),
                 location=(block.source, block.line or 0))
            for path, text, kind in walk(schema, block.fields)]


def issue_units(issue: Issue) -> list[Unit]:
    source = f"{issue.path}/issue.yaml"
    units = [Unit("issue", f"issue.{name}", name, getattr(issue, name), False,
                  f"The issue's {name}" + (" (the email subject line; keep it short)" if name == "subject" else
                                           " (the grey preview line shown after the subject)"
                                           if name == "preheader" else ""), (source, 0))
             for name in ISSUE_FIELDS]
    publication = f"{issue.path.parent}/publication.yaml"
    units += [Unit("publication", f"publication.{path}", path, text, isinstance(kind, kinds.Markdown),
                   _note("the publication settings (shared by every issue)", path, kind), (publication, 0))
              for path, text, kind in walk(PUBLICATION_SCHEMA, issue.publication)]
    return units


def all_units(issue: Issue) -> list[Unit]:
    units = issue_units(issue)
    for block in issue.blocks:
        units += block_units(block)
    return units


def _note(described: str, path: str, kind) -> str:
    note = f"From {described}, field '{path}'."
    if isinstance(kind, kinds.Markdown):
        note += (" Markdown: keep **bold**, *italic*, '- ' bullets and every [link text](address) with the "
                 "same address; translate only the words.")
    else:
        note += " One line of plain text."
    return note


def apply(schema: Schema, record: Record, translations: dict[str, str], path: str = "") -> Record:
    """A copy of `record` with the texts at the given field paths replaced."""
    changes = {}
    for name, spec in schema.fields.items():
        child = f"{path}.{name}" if path else name
        value = record.get(name)
        new = _apply_value(spec.kind, value, translations, child)
        if new is not value:
            changes[name] = new
    return record.replace(**changes) if changes else record


def _apply_value(kind, value, translations, path):
    if value is None or value == "":
        return value
    if isinstance(kind, Schema):
        return apply(kind, value, translations, path)
    if isinstance(kind, kinds.ListOf):
        items = tuple(_apply_value(kind.item, item, translations, f"{path}[{i}]") for i, item in enumerate(value))
        return value if all(a is b for a, b in zip(items, value)) else items
    return translations.get(path, value)
