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
Every mistake is reported with file, line, key path and a hint (common.problems.Problem).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import Located, display_path, load_yaml

from mailer.values.languages import fold
from mailer.store.rules import All, Follows, Rule
from mailer.audiences.parse import RuleParser

ENV_VAR = "NEWSLETTER_AUDIENCES"
FILE_NAME = "audiences.yaml"
LEVELS = ("elementary", "middle", "high")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")
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
    for key in data:
        if key not in ("schools", "segments"):
            problems.append(_problem(doc, key, f"unknown section '{key}'", "use schools: and segments:"))
    schools = _schools(doc, data.get("schools"), problems)
    audiences = Audiences(path, schools, {}, _school_lookup(doc, schools, problems))
    segments = _segments(doc, data.get("segments"), audiences, problems)
    if problems:
        raise NewsletterError(problems)
    return Audiences(path, schools, segments, audiences._lookup)


def _problem(doc: Located, key: str, message: str, hint: str = "") -> Problem:
    return Problem(display_path(doc.path), key, message, hint, doc.line(key))


def _schools(doc: Located, data, problems: list[Problem]) -> dict[str, School]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(_problem(doc, "schools", "expected one entry per school",
                                 "write e.g.  aiken: {name: Aiken Elementary School, level: elementary}"))
        return {}
    schools = {}
    for school_id, entry in data.items():
        key = f"schools.{school_id}"
        if not _SLUG.fullmatch(school_id):
            problems.append(_problem(doc, key, f"'{school_id}' is not a valid school id",
                                     "use lowercase letters, digits and dashes, e.g. charter-oak"))
        entry = entry if isinstance(entry, dict) else {}
        for extra in set(entry) - {"name", "level", "aliases"}:
            problems.append(_problem(doc, f"{key}.{extra}", f"unknown field '{extra}'", "use name, level, aliases"))
        name, level, aliases = entry.get("name"), entry.get("level"), entry.get("aliases") or []
        if not isinstance(name, str) or not name.strip():
            problems.append(_problem(doc, f"{key}.name", "every school needs a name", "e.g. name: Aiken Elementary"))
            name = school_id
        if level not in LEVELS:
            problems.append(_problem(doc, f"{key}.level", f"level must be one of {', '.join(LEVELS)}, got {level!r}",
                                     "set level: elementary, middle or high"))
        aliases = aliases if isinstance(aliases, list) else [aliases]
        schools[school_id] = School(school_id, name.strip(), level, tuple(str(a) for a in aliases))
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


def _segments(doc: Located, data, audiences: Audiences, problems: list[Problem]) -> dict[str, Segment]:
    if not isinstance(data, dict) or not data:
        problems.append(_problem(doc, "segments", "no segments defined",
                                 "add at least  all-families: {description: Every subscribed family}"))
        return {}
    parser = RuleParser(doc, audiences, problems)
    segments = {}
    for name, entry in data.items():
        key = f"segments.{name}"
        if not _SLUG.fullmatch(name):
            problems.append(_problem(doc, key, f"'{name}' is not a valid segment name",
                                     "use lowercase letters, digits and dashes, e.g. spanish-speaking-elementary"))
        entry = dict(entry) if isinstance(entry, dict) else ({} if entry is None else entry)
        if not isinstance(entry, dict):
            problems.append(_problem(doc, key, "expected description: and rule keys", "see the README"))
            continue
        description = str(entry.pop("description", "") or "")
        publication = entry.pop("publication", None)
        if publication is not None and not (isinstance(publication, str) and _SLUG.fullmatch(publication)):
            problems.append(_problem(doc, f"{key}.publication", f"'{publication}' is not a publication's slug",
                                     "write the folder name of a publication in newsletters/, e.g. equity"))
            publication = None
        rule = parser.parse(entry, key) if entry else None
        segments[name] = Segment(name, description, rule, publication)
    return segments
