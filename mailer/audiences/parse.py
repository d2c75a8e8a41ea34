"""The schemas of audiences.yaml, on the engine issue.yaml and publication.yaml use
(blocks/schema.py: unknown keys with "did you mean", every problem at once, each with its
file, line and key path): a school, and a segment whose rule becomes a mailer.store.rules tree
(one SQL condition).

A segment is a mapping of `description:`, `publication:` and rule keys; a rule is a mapping of
rule keys, all of which must hold: `language`, `school`, `level`, `grade`, `topic` (a value or
a list of values: any of them), `all` / `any` (a list of rules), `not` (a rule, or a list of
rules none of which may hold). Rule keys keep the order they are written in.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from blocks.kinds import Choice, Kind, ListOf, MapOf, Text
from blocks.record import Record
from blocks.schema import Field, Schema, join_key
from common.problems import FieldError

from mailer.values.grades import GRADES, expand_grades
from mailer.values.languages import UnknownLanguage, language_code
from mailer.store.rules import All, Any, Condition, Not, Rule
from mailer.values.topics import TOPICS

VALUE_KEYS = ("language", "school", "level", "grade", "topic")
GROUP_KEYS = ("all", "any", "not")
LEVELS = ("elementary", "middle", "high")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")

SCHOOL = Schema({
    "name": Field(Text(translatable=False), required=True, help="e.g. name: Aiken Elementary School"),
    "level": Field(Choice(LEVELS), required=True, help="elementary, middle or high"),
    "aliases": Field(ListOf(Text(translatable=False), allow_single=True),
                     help="other names rosters use for it, e.g. aliases: [AIK, Aiken Elementary]"),
}, name="school")

SCHOOLS = MapOf(SCHOOL, SLUG, "school id", "charter-oak",
                "aiken: {name: Aiken Elementary School, level: elementary}")


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass(frozen=True)
class _Values:
    """One value or a list of values of a rule key (any of them) -> a Condition."""

    name: str
    audiences: object

    def validate(self, value, key: str, report) -> Rule | None:
        items = value if isinstance(value, list) else [value]
        if not items or any(isinstance(v, (dict, list, bool)) or v is None or v == "" for v in items):
            report(key, f"'{self.name}' needs a value or a list of values",
                   f"write e.g.  {self.name}: {_example(self.name)}")
            return None
        values: list[str] = []
        for i, item in enumerate(items):
            try:
                values += self.clean(str(item))
            except ValueError as e:
                message, _, hint = str(e).partition("; ")
                report(f"{key}[{i}]" if isinstance(value, list) else key, message, hint)
                return None
        if self.name == "level":
            schools = tuple(s.id for s in self.audiences.schools.values() if s.level in values)
            return Condition("school", schools, label=f"level {' or '.join(values)}")
        return Condition(self.name, tuple(dict.fromkeys(values)))

    def clean(self, value: str) -> list[str]:
        """The stored values one written value stands for; ValueError("message; hint") if none."""
        if self.name == "language":
            try:
                return [language_code(value)]
            except UnknownLanguage as e:
                raise ValueError(f"unknown language '{value}'; " + (
                    f"did you mean {', '.join(e.suggestions)}?" if e.suggestions
                    else "use a code such as en, es, pt, ar, zh or a name such as Spanish")) from None
        if self.name == "school":
            return [self.audiences.school_id(value)]
        if self.name == "level":
            if value not in LEVELS:
                raise ValueError(f"unknown level '{value}'; use one of {', '.join(LEVELS)}")
            return [value]
        if self.name == "grade":
            try:
                return expand_grades(value)
            except ValueError as e:
                raise ValueError(f"{e}; grades are {', '.join(GRADES)}; a range is written K-5") from None
        if value not in TOPICS:
            close = difflib.get_close_matches(value, TOPICS, n=1)
            raise ValueError(f"unknown topic '{value}'; " +
                             (f"did you mean '{close[0]}'? " if close else "") + f"topics are {', '.join(TOPICS)}")
        return [value]


@dataclass(frozen=True)
class _Group:
    """`all:` or `any:`: a list of rules."""

    name: str
    rule: "_Rule"

    def validate(self, value, key: str, report) -> Rule | None:
        if not isinstance(value, list) or not value:
            report(key, f"'{self.name}' needs a list of rules",
                   f"write e.g.  {self.name}: [{{language: es}}, {{topic: foodshare}}]")
            return None
        rules = [self.rule.validate(item, f"{key}[{i}]", report) for i, item in enumerate(value)]
        if None in rules:
            return None
        return All(tuple(rules)) if self.name == "all" else Any(tuple(rules))


@dataclass(frozen=True)
class _Not:
    """`not:`: a rule, or a list of rules (none of them may hold)."""

    rule: "_Rule"

    def validate(self, value, key: str, report) -> Rule | None:
        inner = _Group("any", self.rule).validate(value, key, report) if isinstance(value, list) \
            else self.rule.validate(value, key, report)
        return Not(inner) if inner else None


@dataclass(frozen=True)
class _Rule(Schema):
    """Rule keys, all of which must hold -> the Rule. A segment (`segment=True`) also has
    description: and publication:, and may have no rule key (every family): its value is a
    Record of description, publication and rule."""

    segment: bool = False

    def validate(self, raw, key: str, report):
        if self.segment and not isinstance(raw, dict):
            report(key, "expected description: and rule keys",
                   f"write e.g.  all-families: {{description: Every subscribed family}}; rule keys are: "
                   f"{', '.join(VALUE_KEYS + GROUP_KEYS)}")
            return None
        if not isinstance(raw, dict) or (not raw and not self.segment):
            report(key, "expected a rule such as  language: es  or  all: [...]",
                   f"rule keys are: {', '.join(VALUE_KEYS + GROUP_KEYS)}")
            return None
        empty = [name for name, value in raw.items() if name in VALUE_KEYS + GROUP_KEYS and _empty(value)]
        for name in empty:          # an empty rule key is a mistake, never "no condition"
            self.fields[name].kind.validate(raw[name], join_key(key, name), report)
        record = super().validate({k: v for k, v in raw.items() if k not in empty}, key, report)
        if record is None or empty:
            return None
        rules = [record.get(name) for name in raw if name in VALUE_KEYS + GROUP_KEYS]  # as written
        rule = None if not rules else rules[0] if len(rules) == 1 else All(tuple(rules))
        if not self.segment:
            return rule
        return Record({"description": record.description or "", "publication": record.publication, "rule": rule})


class _PublicationSlug(Kind):
    def clean(self, value) -> str:
        if not isinstance(value, str) or not SLUG.fullmatch(value):
            raise FieldError(f"'{value}' is not a publication's slug",
                             "write the folder name of a publication in newsletters/, e.g. equity")
        return value


def segments_kind(audiences) -> MapOf:
    """The `segments:` section, its rules checked against `audiences`' schools."""
    fields = {name: Field(_Values(name, audiences)) for name in VALUE_KEYS}
    rule = _Rule(fields, name="rule")
    fields |= {"all": Field(_Group("all", rule)), "any": Field(_Group("any", rule)), "not": Field(_Not(rule))}
    segment = _Rule({"description": Field(Text(translatable=False), help="who the segment is, in a few words"),
                     "publication": Field(_PublicationSlug(), help="only for this publication's issues"),
                     **fields}, name="segment", segment=True)
    return MapOf(segment, SLUG, "segment name", "spanish-speaking-elementary",
                 "all-families: {description: Every subscribed family}")


def _example(name: str) -> str:
    return {"language": "[es, pt]", "school": "aiken", "level": "elementary", "grade": "K-5",
            "topic": "foodshare"}[name]
