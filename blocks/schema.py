"""Typed schemas for blocks and settings: every problem is reported, nothing guessed.

A schema maps field names to `Field`s; each field has a kind that turns raw YAML into a
clean value or raises `FieldError` with a hint (or, for kinds made of other values, a `validate(
value, key, report)` that reports each problem at its own key and returns None after one).
`kinds.ListOf` and `kinds.MapOf` hold values of one kind in a list or under chosen names. The same
engine reads issue.yaml, publication.yaml and audiences.yaml. Unknown keys are errors (with a
"did you mean" suggestion) so a typo never silently vanishes.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable

from blocks import kinds
from common.problems import FieldError
from blocks.record import Record

Report = Callable[[str, str, str], None]  # (key path, message, hint)


@dataclass(frozen=True)
class Field:
    kind: Any  # a kinds.Kind, a Schema (nested object), kinds.ListOf or kinds.MapOf, or has validate()
    required: bool = False
    default: Any = None
    help: str = ""

    @property
    def translatable(self) -> bool:
        return getattr(self.kind, "translatable", False)


@dataclass(frozen=True)
class Schema:
    """A mapping of named fields, validated as a whole."""

    fields: dict[str, Field]
    name: str = "object"
    check: Callable[[Record, Report, str], None] | None = field(default=None, compare=False)
    translatable = False

    def validate(self, raw, key: str, report: Report) -> Record | None:
        if not isinstance(raw, dict):
            report(key, f"expected a mapping of fields for {self.name}, got {kinds.describe(raw)}",
                   f"write it as 'name: value' lines; allowed fields: {', '.join(self.fields)}")
            return None
        values: dict[str, Any] = {}
        ok = True
        for name in raw:
            if name not in self.fields:
                ok = False
                close = difflib.get_close_matches(str(name), list(self.fields), n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed fields: {', '.join(self.fields)}"
                report(join_key(key, name), f"unknown field '{name}' for {self.name}", hint)
        for name, spec in self.fields.items():
            child = join_key(key, name)
            value = raw.get(name)
            if value is None or value == "" or value == []:
                if spec.required:
                    ok = False
                    report(child, f"'{name}' is required for {self.name}",
                           f"add a '{name}:' line" + (f", {spec.help}" if spec.help else ""))
                values[name] = () if spec.default is None and isinstance(spec.kind, kinds.ListOf) else spec.default
                continue
            cleaned, good = clean_value(spec.kind, value, child, report)
            ok = ok and good
            values[name] = cleaned
        record = Record(values)
        if ok and self.check is not None:
            self.check(record, report, key)
        return record if ok else None


def clean_value(kind, value, key: str, report: Report) -> tuple[Any, bool]:
    """Validate one value of any kind; report problems under `key`."""
    if isinstance(kind, Schema):
        record = kind.validate(value, key, report)
        return record, record is not None
    if isinstance(kind, kinds.ListOf):
        return _clean_list(kind, value, key, report)
    if isinstance(kind, kinds.MapOf):
        return _clean_map(kind, value, key, report)
    if callable(getattr(kind, "validate", None)):     # a kind that reports its own located problems
        cleaned = kind.validate(value, key, report)
        return cleaned, cleaned is not None
    try:
        return kind.clean(value), True
    except FieldError as e:
        report(key, e.message, e.hint)
        return None, False


def _clean_list(kind: "kinds.ListOf", value, key: str, report: Report):
    if not isinstance(value, list):
        if kind.allow_single and not isinstance(value, dict):
            value = [value]
        else:
            report(key, f"expected a list, got {kinds.describe(value)}",
                   "start each item on its own line with '- '")
            return None, False
    results, ok = [], True
    for i, item in enumerate(value):
        cleaned, good = clean_value(kind.item, item, f"{key}[{i}]", report)
        ok = ok and good
        results.append(cleaned)
    return tuple(results), ok


def _clean_map(kind: "kinds.MapOf", value, key: str, report: Report):
    """{name: cleaned value, None where it had a problem}, and whether every entry was good."""
    if not isinstance(value, dict):
        report(key, f"expected one entry per {kind.name_what.split()[0]}, got {kinds.describe(value)}",
               f"write e.g.  {kind.example}")
        return None, False
    results, ok = {}, True
    for name, item in value.items():
        child = join_key(key, name)
        if not kind.names.fullmatch(str(name)):
            ok = False
            report(child, f"'{name}' is not a valid {kind.name_what}",
                   f"use lowercase letters, digits and dashes, e.g. {kind.name_example}")
        results[name], good = clean_value(kind.item, item, child, report)
        ok = ok and good
    return results, ok


def join_key(key: str, name) -> str:
    return f"{key}.{name}" if key else str(name)
