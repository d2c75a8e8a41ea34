"""A district roster export -> one Family per email address, plus the rows that cannot be used.

Columns are found by their headers, in any case and spelling of spaces and punctuation
("Parent Email", "parent_email", "PARENT E-MAIL"); `--map Email="Guardian 2 Email"` picks
another. Siblings on several rows become one family with all their schools and grades.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path

from mailer.values.emails import BadEmail, normalize_email
from mailer.values.grades import grade_code
from mailer.values.languages import UnknownLanguage, fold, language_code
from mailer.roster.spreadsheet import Table, read_table

FIELDS = ("email", "name", "first_name", "last_name", "language", "school", "grade")
HEADERS: dict[str, tuple[str, ...]] = {  # first match wins; compared with languages.fold
    "email": ("Parent Email", "Guardian Email", "Parent/Guardian Email", "Parent Email Address",
              "Guardian Email Address", "Parent 1 Email", "Guardian 1 Email", "Primary Contact Email",
              "Contact Email", "Family Email", "Primary Email", "Email", "Email Address"),
    "name": ("Parent Name", "Guardian Name", "Parent/Guardian Name", "Parent Full Name", "Guardian Full Name",
             "Parent 1 Name", "Guardian 1 Name", "Primary Contact Name", "Contact Name", "Name"),
    "first_name": ("Parent First Name", "Guardian First Name", "Contact First Name"),
    "last_name": ("Parent Last Name", "Guardian Last Name", "Contact Last Name"),
    "language": ("Home Language", "Preferred Language", "Parent Language", "Guardian Language",
                 "Correspondence Language", "Family Language", "Language Spoken at Home", "Primary Language",
                 "Language"),
    "school": ("School", "School Name", "Building", "Building Name", "School Code", "Campus"),
    "grade": ("Grade", "Grade Level", "Student Grade", "Current Grade"),
}


@dataclass
class Family:
    email: str
    rows: list[int]
    name: str | None = None
    language: str | None = None  # None: the roster did not say
    schools: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class BadRow:
    row: int
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.reason}"


@dataclass
class Roster:
    path: Path
    columns: dict[str, str]  # field -> header used
    rows: int
    families: dict[str, Family]
    rejected: list[BadRow]
    notes: list[str]

    @property
    def source(self) -> str:
        return f"import:{self.path.name}"


def read_roster(path: Path, schools, overrides: list[str] = (), sheet: str | None = None) -> Roster:
    """Read and check a roster; `schools` resolves School values (mailer.audiences.Audiences)."""
    table = read_table(path, sheet)
    columns = map_columns(table, overrides)
    roster = Roster(path, {f: table.headers[i] for f, i in columns.items()}, len(table.rows), {}, [], [])
    school_ids = _Memo(schools.school_id)
    for number, cells in table.rows:
        values = {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()}
        _add_row(roster, number, values, school_ids)
    return roster


def map_columns(table: Table, overrides: list[str]) -> dict[str, int]:
    """field -> column index, from the defaults and `overrides` like "Email=Guardian E-mail"."""
    shown = display_path(table.path)
    by_key = {}
    for index, header in enumerate(table.headers):
        by_key.setdefault(fold(header), index)
    columns: dict[str, int] = {}
    for item in overrides:
        name, sep, header = item.partition("=")
        field_name = fold(name).replace("firstname", "first_name").replace("lastname", "last_name")
        if not sep or field_name not in FIELDS:
            raise NewsletterError([Problem(shown, "", f"--map '{item}' is not FIELD=HEADER",
                                     f"fields are {', '.join(FIELDS)}; e.g. --map \"Email=Guardian E-mail\"")])
        if fold(header) not in by_key:
            raise NewsletterError([Problem(shown, "", f"--map {name}: no column '{header}'",
                                     f"the columns are: {', '.join(h for h in table.headers if h)}")])
        columns[field_name] = by_key[fold(header)]
    for field_name, candidates in HEADERS.items():
        if field_name not in columns:
            found = next((by_key[fold(c)] for c in candidates if fold(c) in by_key), None)
            if found is not None and found not in columns.values():
                columns[field_name] = found
    if "email" not in columns:
        raise NewsletterError([Problem(shown, "", "no email column found",
                                 f"the columns are: {', '.join(h for h in table.headers if h)}; "
                                 "name the right one with --map \"Email=<column>\"")])
    return columns


class _Memo:
    """Remember a lookup's answers (rosters repeat the same few school names thousands of times)."""

    def __init__(self, lookup):
        self.lookup, self.known = lookup, {}

    def __call__(self, value: str) -> str:
        if value not in self.known:
            self.known[value] = self.lookup(value)
        return self.known[value]


def _add_row(roster: Roster, number: int, values: dict[str, str], school_id) -> None:
    problems, email = [], None
    try:
        email = normalize_email(values["email"])
    except BadEmail as e:
        problems.append(str(e))
    language = None
    if values.get("language"):
        try:
            language = language_code(values["language"])
        except UnknownLanguage as e:
            hint = f"did you mean {', '.join(e.suggestions)}?" if e.suggestions else \
                "use a language name (Spanish, Español) or a code (es)"
            problems.append(f"unknown language '{e.value}'; {hint}")
    school = grade = None
    if values.get("school"):
        try:
            school = school_id(values["school"])
        except ValueError as e:
            problems.append(str(e))
    if values.get("grade"):
        try:
            grade = grade_code(values["grade"])
        except ValueError as e:
            problems.append(f"{e}; use PK, K or 1-12")
    if problems:
        roster.rejected.append(BadRow(number, "; ".join(problems)))
        return
    name = values.get("name") or " ".join(p for p in (values.get("first_name"), values.get("last_name")) if p)
    family = roster.families.get(email)
    if family is None:
        family = roster.families[email] = Family(email, [])
    family.rows.append(number)
    family.name = family.name or name or None
    if language and family.language and language != family.language:
        roster.notes.append(f"row {number}: {email} has language {language} here but {family.language} on row "
                            f"{family.rows[0]}; kept {family.language}")
    family.language = family.language or language
    family.schools.update([school] if school else [])
    family.grades.update([grade] if grade else [])
