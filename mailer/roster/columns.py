"""Which column of a roster holds what: found by header, in any case and spelling of spaces and
punctuation ("Parent Email", "parent_email", "PARENT E-MAIL"), or named with --map.

A header that appears twice among the columns the import reads (two "Parent Email" columns)
is refused with both column letters: picking one silently could email the wrong parent.
"""
from __future__ import annotations

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path

from mailer.roster.spreadsheet import Table
from mailer.values.languages import fold

FIELDS = ("email", "name", "first_name", "last_name", "language", "school", "grade", "topics")
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
    "topics": ("Topics", "Newsletter Topics", "Topics of Interest", "Interests"),
}


def map_columns(table: Table, overrides: list[str]) -> dict[str, int]:
    """field -> column index, from the defaults and `overrides` like "Email=Guardian E-mail"."""
    shown = display_path(table.path)
    by_key: dict[str, list[int]] = {}
    for index, header in enumerate(table.headers):
        if header:
            by_key.setdefault(fold(header), []).append(index)
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
        columns[field_name] = by_key[fold(header)][0]
    for field_name, candidates in HEADERS.items():
        if field_name not in columns:
            found = next((by_key[fold(c)][0] for c in candidates if fold(c) in by_key), None)
            if found is not None and found not in columns.values():
                columns[field_name] = found
    _refuse_duplicates(table, columns, by_key, shown)
    if "email" not in columns:
        other = f"; or the roster is on another sheet ({', '.join(table.sheets)}): add --sheet NAME" \
            if len(table.sheets) > 1 else ""
        raise NewsletterError([Problem(shown, "", "no email column found",
                                       f"the columns are: {', '.join(h for h in table.headers if h)}; "
                                       f"name the right one with --map \"Email=<column>\"{other}")])
    return columns


def _refuse_duplicates(table: Table, columns: dict[str, int], by_key: dict[str, list[int]], shown: str) -> None:
    problems = []
    for field_name, index in columns.items():
        same = by_key[fold(table.headers[index])]
        if len(same) > 1:
            from openpyxl.utils.cell import get_column_letter  # only when there is something to say
            letters = " and ".join(get_column_letter(i + 1) for i in same)
            problems.append(Problem(
                shown, "", f"columns {letters} are both '{table.headers[index]}' (the {field_name} column)",
                f"rename or delete one of them; or say which to use, e.g. rename one to 'Guardian 2 Email' "
                f"and add --map \"{field_name}=<its new name>\"", table.header_row))
    if problems:
        raise NewsletterError(problems)
