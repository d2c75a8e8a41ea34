"""audiences.yaml: the district's schools and the named segments staff send to.

    schools:
      aiken: {name: Aiken Elementary School, level: elementary, aliases: [AIK]}
    segments:
      spanish-speaking-elementary:
        description: Spanish-speaking families with a child in an elementary school
        language: es            # several keys in one rule: all must hold
        level: elementary

Rule keys: language, school, level, grade, topic (a value or a list: any of them),
and all / any (a list of rules), not (a rule). A segment with no rule is every family. A send
reaches only the families of the segment who follow the issue's publication (subscriptions);
`publication: food` makes a segment usable only for that publication's issues.
Every mistake is reported with file, line, key path and a hint (common.problems.Problem), by the
schema engine issue.yaml and publication.yaml use (blocks/schema.py; the schemas are in parse.py).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import Located, display_path, load_yaml
from blocks.kinds import Kind
from blocks.schema import Field, Schema, clean_value

from mailer.values.languages import fold
from mailer.store.rules import All, Follows, Rule
from mailer.audiences.parse import LEVELS, SCHOOLS, segments_kind  # noqa: F401 (LEVELS: also known here)

ENV_VAR = "NEWSLETTER_AUDIENCES"
FILE_NAME = "audiences.yaml"
_GENERIC = {"elementary", "middle", "high", "school", "academy", "magnet", "international", "es", "ms", "hs"}


@dataclass(frozen=True)
class School:
    id: str
    name: str
    level: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Segment:
    name: str
    description: str
    rule: Rule | None  # None: every subscribed family
    publication: str | None = None    # only for this publication's issues (`publication:` in audiences.yaml)

    def of(self, publication: str, by_default: bool = True) -> "Segment":
        """The families of this segment who follow `publication` (see mailer.store.rules.Follows);
        NewsletterError if the segment is scoped to another one."""
        if self.publication and self.publication != publication:
            raise NewsletterError(f"segment '{self.name}' is for the publication '{self.publication}', and this "
                                  f"issue is from '{publication}'",
                                  f"choose a segment for {publication}, or remove 'publication:' from the segment "
                                  f"in {FILE_NAME}")
        follows = Follows(publication, by_default)
        return replace(self, rule=All((self.rule, follows)) if self.rule else follows)


@dataclass(frozen=True)
class Audiences:
    path: Path
    schools: dict[str, School]
    segments: dict[str, Segment]
    _lookup: dict[str, str] = field(default_factory=dict, repr=False)

    def segment(self, name: str) -> Segment:
        """The segment called `name`; NewsletterError naming the closest ones if there is none."""
        if name in self.segments:
            return self.segments[name]
        close = difflib.get_close_matches(name, list(self.segments), n=3)
        hint = f"did you mean {', '.join(close)}?" if close else \
            f"known segments: {', '.join(self.segments) or 'none'}; add it under segments: in {FILE_NAME}"
        raise NewsletterError([Problem(display_path(self.path), "segments", f"unknown segment '{name}'", hint)])

    def school_id(self, value: str) -> str:
        """The id of the school a roster or rule names (by id, name or alias; any case)."""
        found = self._lookup.get(fold(str(value))) or self._lookup.get(short_key(str(value)))
        if found:
            return found
        close = difflib.get_close_matches(short_key(str(value)), list(self._lookup), n=3, cutoff=0.7)
        names = sorted({self.schools[self._lookup[k]].name for k in close})
        hint = f"did you mean {', '.join(names)}?" if names else f"add it under schools: in {display_path(self.path)}"
        raise ValueError(f"unknown school '{value}'; {hint}")

    def school_name(self, school_id: str) -> str:
        school = self.schools.get(school_id)
        return school.name if school else school_id


def short_key(name: str) -> str:
    """A school name without its generic last words: "Aiken Elementary School" -> "aiken"."""
    words = [fold(w) for w in re.split(r"[\W_]+", name) if w]
    while len(words) > 1 and words[-1] in _GENERIC:
        words.pop()
    return "".join(words)


def find_file(path: Path | str | None = None) -> Path:
    """`path` (--audiences, or Settings.audiences: NEWSLETTER_AUDIENCES), else ./audiences.yaml, else the
    project's own."""
    if path:
        return Path(path)
    here = Path(FILE_NAME)
    project = Path(__file__).resolve().parents[2] / FILE_NAME
    return here if here.exists() or not project.exists() else project


def load_audiences(path: Path | str | None = None) -> Audiences:
    """Read and validate audiences.yaml; NewsletterError listing every problem at once."""
    path = find_file(path)
    doc, problems = load_yaml(path)
    if doc is None:
        raise NewsletterError(problems)
    shown = display_path(path)
    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise NewsletterError([Problem(shown, "", "expected 'schools:' and 'segments:' sections", "see the README", 1)])
    report = _Reporter(doc, problems)
    _SECTIONS.validate(data, "", report)
    schools = _schools(data.get("schools"), report)
    audiences = Audiences(path, schools, {}, _school_lookup(doc, schools, problems))
    segments = _segments(data.get("segments"), audiences, report)
    if problems:
        raise NewsletterError(problems)
    return Audiences(path, schools, segments, audiences._lookup)


class _Anything(Kind):
    def clean(self, value):
        return value


# Only which sections there are (unknown ones with "did you mean"); their entries are checked below.
_SECTIONS = Schema({"schools": Field(_Anything()), "segments": Field(_Anything())}, name=FILE_NAME)


class _Reporter:
    """(key, message, hint) -> a Problem located in audiences.yaml."""

    def __init__(self, doc: Located, problems: list[Problem]):
        self.doc, self.problems = doc, problems

    def __call__(self, key: str, message: str, hint: str = "") -> None:
        self.problems.append(_problem(self.doc, key, message, hint))


def _problem(doc: Located, key: str, message: str, hint: str = "") -> Problem:
    return Problem(display_path(doc.path), key, message, hint, doc.line(key))


def _schools(data, report) -> dict[str, School]:
    if data is None:
        return {}
    cleaned, _ = clean_value(SCHOOLS, data, "schools", report)
    schools = {}
    for school_id, record in (cleaned or {}).items():
        if record is None:      # reported; its id and name still name it, so rules naming it add no problem
            entry = data[school_id] if isinstance(data[school_id], dict) else {}
            name = entry.get("name") if isinstance(entry.get("name"), str) and entry["name"].strip() else school_id
            schools[school_id] = School(school_id, name.strip(), str(entry.get("level")))
            continue
        schools[school_id] = School(school_id, record.name, record.level, tuple(record.aliases))
    return schools


def _school_lookup(doc: Located, schools: dict[str, School], problems: list[Problem]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for school in schools.values():
        for name in (school.id, school.name, *school.aliases):
            other = lookup.setdefault(fold(name), school.id)
            if other != school.id:
                problems.append(_problem(doc, f"schools.{school.id}", f"'{name}' also names school '{other}'",
                                         "give each school its own names and aliases"))
    generic: dict[str, set[str]] = {}
    for school in schools.values():
        generic.setdefault(short_key(school.name), set()).add(school.id)
    for short, ids in generic.items():
        if short and len(ids) == 1:
            lookup.setdefault(short, next(iter(ids)))
    return lookup


def _segments(data, audiences: Audiences, report) -> dict[str, Segment]:
    if not isinstance(data, dict) or not data:
        report("segments", "no segments defined", "add at least  all-families: {description: Every subscribed family}")
        return {}
    written = {name: {} if entry is None else entry for name, entry in data.items()}   # `name:` alone: every family
    cleaned, _ = clean_value(segments_kind(audiences), written, "segments", report)
    return {name: Segment(name, record.description, record.rule, record.publication)
            for name, record in cleaned.items() if record is not None}
