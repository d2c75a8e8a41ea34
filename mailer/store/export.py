"""Export the store as CSV, streaming (constant memory however many subscribers).

Safe to open in a spreadsheet: a cell starting with =, +, -, @, a tab or a carriage return
gets a ' in front (OWASP, CSV injection), so Excel shows it as text instead of running it as a
formula; mailer.roster.spreadsheet takes that ' off again when such a file is imported.
"""
from __future__ import annotations

import csv
from typing import TextIO

from mailer.store.subscribers import Store

COLUMNS = ("email", "name", "language", "status", "schools", "grades", "topics", "source",
           "consent_at", "preferences_at", "created_at", "updated_at", "unknown")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_csv(store: Store, out: TextIO, statuses: tuple[str, ...] = ()) -> int:
    """Write every subscriber (or those with one of `statuses`) to `out`; returns how many.

    Schools, grades and topics are joined with ';', unknown values as field=value. Times are
    ISO 8601 in UTC.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for s in store.subscribers():
        if statuses and s.status not in statuses:
            continue
        writer.writerow([defuse(cell) for cell in (
            s.email, s.name or "", s.language, s.status, ";".join(s.schools), ";".join(s.grades),
            ";".join(s.topics), s.source, _when(s.consent_at), _when(s.preferences_at), _when(s.created_at),
            _when(s.updated_at), ";".join(f"{f}={v}" for f, v in s.unknown))])
        count += 1
    return count


def defuse(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula: "=1+1" -> "'=1+1"."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""
