"""A district roster export -> one Family per email address, plus the rows that cannot be used.

Siblings on several rows become one family with all their schools and grades; two parents of
one student (two addresses) stay two families. Only a row without a usable email address (or
with a name or value longer than the store keeps) is refused. A school, grade or topic nobody
knows never drops a family: the value is kept as written, flagged, and reported with its fix.
A language nobody knows is listed too (the import decides: a problem to fix, or, with
--skip-invalid, the publication's default language). `strict=True` refuses every unknown value.
"""
from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from mailer.roster.columns import map_columns
from mailer.roster.spreadsheet import open_table
from mailer.roster.staging import PAIR, SEP, Staging, StagedFamilies, joined, split
from mailer.store.tables import VALUE_MAX, subscribers
from mailer.values.emails import BadEmail, needs_smtputf8, normalize_email
from mailer.values.grades import grade_code
from mailer.values.languages import UnknownLanguage, fold, language_code
from mailer.values.topics import TOPICS, split_topics, topic_code

NAME_MAX = subscribers.c.name.type.length


@dataclass
class Family:
    email: str
    rows: list[int]
    name: str | None = None
    language: str | None = None  # None: the roster did not say (or said something nobody knows)
    schools: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)
    topics: set[str] | None = None  # None: no topic listed, so every topic
    unknown: set[tuple[str, str]] = field(default_factory=set)  # (field, value as written)


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class UnknownValue:
    """A value the roster gave that nobody knows, with the families that have it."""

    field: str  # school, grade, topic or language
    value: str  # as first written
    families: int
    rows: list[int]


@dataclass
class Roster:
    path: Path
    columns: dict[str, str]  # field -> header used
    rows: int
    families: Mapping[str, Family]  # in the order of each family's first row (mailer.roster.staging)
    rejected: list[BadRow]
    notes: list[str]
    reading: list[str] = field(default_factory=list)  # how the file was read: encoding, which sheet
    language_rows: list[BadRow] = field(default_factory=list)  # unknown language: the import decides
    warnings: list[str] = field(default_factory=list)  # cleaned cells, addresses not every server takes
    unknown: list[UnknownValue] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headers of columns the import does not read

    @property
    def source(self) -> str:
        return f"import:{self.path.name}"


def collect_young() -> None:
    """Free the reference cycles made since the last call (the libraries under an import make a
    few per database round trip, which hold on to what they reference, e.g. a batch's rows)
    while the collector is paused: a pass over only the young objects, cheap, and called once
    per chunk, it keeps a state-wide import's memory flat."""
    gc.collect(0)


@contextmanager
def without_gc_pauses() -> Iterator[None]:
    """Reading and importing a roster make ~100,000 small objects and no reference cycles: the
    cyclic garbage collector's repeated passes over them cost more than the work (measured: a
    10,000-family read takes half as long). Reference counting still frees everything."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_roster(path: Path, schools, overrides: list[str] = (), sheet: str | None = None, *,
                strict: bool = False, table=None) -> Roster:
    """Read and check a roster; `schools` resolves School values (mailer.audiences.Audiences);
    `table`: the file as mailer.roster.spreadsheet.open_table (or read_table) opened it already.
    The rows stream from the file into a staging database (mailer.roster.staging) and are merged
    by address there: memory stays bounded whatever the roster's size. `Roster.families` reads
    the families back from it, in the order of their first row."""
    with without_gc_pauses():
        return _read(path, schools, overrides, sheet, strict, table)


def _read(path: Path, schools, overrides, sheet: str | None, strict: bool, table=None) -> Roster:
    table = table or open_table(path, sheet)
    columns = map_columns(table, list(overrides))
    staging = Staging.for_file(path.stat().st_size)
    roster = Roster(path, {f: table.headers[i] for f, i in columns.items()}, 0, StagedFamilies(staging, _family),
                    [], [])
    reader = _RowReader(roster, schools, strict, staging)
    fields = list(columns.items())
    count = 0
    for number, cells in table.rows:
        count += 1
        if not count % 50_000:
            collect_young()
        width = len(cells)
        reader.add({f: (cells[i] if i < width else "") for f, i in fields}, number)
    roster.rows = count
    roster.reading = list(table.notes)
    used = {i: table.headers[i] for i in columns.values()}
    roster.ignored = [h for i, h in enumerate(table.headers) if h and i not in used]
    roster.warnings[:0] = [f"row {n}, {used[i]}: {what}" for n, i, what in table.cleaned if i in used]
    reader.finish()
    return roster


def _family(email: str, rows: str, name, language, schools, grades, topics, unknown) -> Family:
    """A Family from its staged columns."""
    return Family(email, [int(r) for r in rows.split(",")], name, language, split(schools), split(grades),
                  split(topics) if topics is not None else None,
                  {tuple(pair.split(PAIR, 1)) for pair in split(unknown)})


class _RowReader:
    def __init__(self, roster: Roster, schools, strict: bool, staging: Staging):
        self.roster, self.strict, self.staging = roster, strict, staging
        self.lookup_school = schools.school_id
        # (language, school, grade, topics) as written -> what they resolve to: a roster repeats a few
        # thousand combinations over tens of thousands of rows
        self.resolved: dict[tuple, tuple] = {}
        self.spellings: dict[tuple[str, str], str] = {}  # (field, folded value) -> first spelling
        self.rows_of: dict[tuple[str, str], list[int]] = {}

    def add(self, values: dict[str, str], number: int) -> None:
        key = (values.get("language"), values.get("school"), values.get("grade"), values.get("topics"))
        found = self.resolved.get(key)
        if found is None:
            found = self.resolved[key] = self.resolve(*key)
        language, language_issue, school, grade, topics, unknown, problems = found
        email = None
        try:
            email = normalize_email(values["email"])
        except BadEmail as e:
            problems = [str(e), *problems]
        name = values.get("name") or " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
        if len(name) > NAME_MAX:
            problems = [*problems, f"the name is {len(name)} characters long, more than the {NAME_MAX} the store "
                                   "keeps; shorten it in the file"]
        if problems:
            if language_issue and not self.strict:  # (strict: already one of the problems)
                problems = [*problems, language_issue]
            self.roster.rejected.append(BadRow(number, "; ".join(problems)))
            return
        self.staging.add_row((email, number, name or None, language, school, grade, topics,
                              SEP.join(f + PAIR + v for f, v in (self.spelled(pair, number) for pair in unknown))
                              if unknown else None, language_issue or None))

    def resolve(self, language_value, school_value, grade_value, topics_value) -> tuple:
        """(language, language issue, school, grade, topics (joined), unknown values, problems) of one combination."""
        problems, unknown = [], []
        language, language_issue = self.language(language_value, unknown)
        school = self.known("school", school_value, self.lookup_school, problems, unknown)
        grade = self.known("grade", grade_value, grade_code, problems, unknown)
        topics = {t for t in (self.known("topic", part, topic_code, problems, unknown)
                              for part in split_topics(topics_value)) if t} if topics_value else None
        problems += [f"{what} '{value[:40]}...' is {len(value)} characters long, more than the {VALUE_MAX} kept; "
                     "fix it in the file" for what, value in unknown if len(value) > VALUE_MAX]
        if language_issue and self.strict:
            problems.append(language_issue)
        return language, language_issue, school, grade, joined(topics) if topics else None, tuple(unknown), problems

    def language(self, value: str | None, unknown: list) -> tuple[str | None, str]:
        if not value:
            return None, ""
        try:
            return language_code(value), ""
        except UnknownLanguage as e:
            unknown.append(("language", e.value))
            hint = f"did you mean {', '.join(e.suggestions)}?" if e.suggestions else \
                "use a language name (Spanish, Español) or a code (es)."
            return None, f"unknown language '{e.value}'; {hint}"

    def known(self, what: str, value: str | None, resolve, problems: list, unknown: list) -> str | None:
        """The code of a school, grade or topic; an unknown one goes to `unknown` (or `problems` if strict)."""
        if not value:
            return None
        try:
            return resolve(value)
        except ValueError as e:
            if self.strict:
                problems.append(str(e) if what == "school" else f"{e}; {STRICT_HINTS[what]}")
            else:
                unknown.append((what, value))
            return None

    def spelled(self, pair: tuple[str, str], number: int) -> tuple[str, str]:
        key = (pair[0], fold(pair[1]) or pair[1])
        self.rows_of.setdefault(key, []).append(number)
        return pair[0], self.spellings.setdefault(key, pair[1])

    def finish(self) -> None:
        """Fold each address's rows into one family (siblings: all their schools and grades; the
        first name and language given, noting other languages); settle unknown languages (a
        problem only where no other row of the family gave one); count each unknown value."""
        roster, every_topic = self.roster, set(TOPICS)
        merged: list[tuple[int, str]] = []      # (row, note), as the rows come
        settled: list[tuple[int, str]] = []     # (row, note) on unknown languages another row settles
        warnings: list[tuple[int, str]] = []
        language_rows: list[BadRow] = []
        counts: dict[tuple[str, str], int] = {}
        for number, rows in enumerate(self.staging.rows_by_address(), 1):
            if not number % 50_000:
                collect_young()
            email, first = rows[0][0], rows[0][1]
            if not email.isascii() and needs_smtputf8(email):
                warnings.append((first, f"row {first}: {email} has non-ASCII letters before the @: imported, but only "
                                        "mail servers offering SMTPUTF8 can deliver it and not every backend does; "
                                        "check with the family"))
            name = language = topics = None
            schools, grades, unknown, issues = set(), set(), set(), []
            for _, number, row_name, row_language, school, grade, row_topics, row_unknown, issue in rows:
                if issue:
                    issues.append(BadRow(number, issue))
                name = name or row_name
                if row_language and language and row_language != language:
                    merged.append((number, f"row {number}: {email} has language {row_language} here but "
                                           f"{language} on row {first}; kept {language}"))
                language = language or row_language
                if school:
                    schools.add(school)
                if grade:
                    grades.add(grade)
                if row_topics:
                    topics = (topics or set()) | split(row_topics)
                if row_unknown:
                    unknown.update(tuple(pair.split(PAIR, 1)) for pair in row_unknown.split(SEP))
            for bad in issues:
                if language:
                    settled.append((bad.row, f"{bad} Kept {language}, which another row gives."))
                else:
                    language_rows.append(bad)
            if topics == every_topic:  # every topic there is: follows new ones too (as an export says)
                topics = None
            if language:
                unknown = {pair for pair in unknown if pair[0] != "language"}
            for pair in unknown:
                counts[pair] = counts.get(pair, 0) + 1
            self.staging.add_family((first, email, name, language, joined(schools), joined(grades),
                                     joined(topics) if topics is not None else None,
                                     SEP.join(sorted(f + PAIR + v for f, v in unknown)),
                                     ",".join(str(row[1]) for row in rows)))
        self.staging.done()
        roster.notes += [note for _, note in sorted(merged)] + [note for _, note in sorted(settled)]
        roster.warnings += [warning for _, warning in sorted(warnings)]
        roster.language_rows = sorted(language_rows, key=lambda bad: bad.row)
        for (what, key), value in self.spellings.items():
            if (what, value) in counts:
                roster.unknown.append(UnknownValue(what, value, counts[what, value], self.rows_of[what, key]))
        roster.unknown.sort(key=lambda u: (FIELD_ORDER.index(u.field), -u.families, u.value))


FIELD_ORDER = ("school", "grade", "topic", "language")
STRICT_HINTS = {"grade": "use PK, K or 1-12", "topic": f"topics are {', '.join(TOPICS)}"}
