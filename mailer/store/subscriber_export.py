"""Export the store as CSV, streaming (constant memory however many subscribers).

Everything a store keeps about a family is in it (status, schools, grades, topics, values nobody
knew, which publications it chose to follow or leave: `publications`, as slug=status), so that
`subscribers import` of this file restores it (mailer/roster/restore.py): export, import into an
empty store and export again give the same file.

Safe to open in a spreadsheet: a cell starting with =, +, -, @, a tab or a carriage return
gets a ' in front (OWASP, CSV injection), so Excel shows it as text instead of running it as a
formula; mailer.roster.spreadsheet takes that ' off again when such a file is imported.
"""
from __future__ import annotations

import csv
from typing import TextIO

from sqlalchemy import select

from mailer.store.subscribers import Store
from mailer.store.tables import subscriptions

COLUMNS = ("email", "name", "language", "status", "schools", "grades", "topics", "source",
           "consent_at", "preferences_at", "created_at", "updated_at", "unknown", "publications")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_csv(store: Store, out: TextIO, statuses: tuple[str, ...] = ()) -> int:
    """Write every subscriber (or those with one of `statuses`) to `out`; returns how many.

    Schools, grades and topics are joined with ';', unknown values as field=value. Times are
    ISO 8601 in UTC.
    """
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    chosen = _subscriptions(store)
    for s in store.subscribers():
        if statuses and s.status not in statuses:
            continue
        writer.writerow([defuse(cell) for cell in (
            s.email, s.name or "", s.language, s.status, ";".join(s.schools), ";".join(s.grades),
            ";".join(s.topics), s.source, _when(s.consent_at), _when(s.preferences_at), _when(s.created_at),
            _when(s.updated_at), ";".join(f"{f}={v}" for f, v in s.unknown), chosen.get(s.id, ""))])
        count += 1
    return count


def _subscriptions(store: Store) -> dict[int, str]:
    """subscriber id -> "equity=subscribed;food=unsubscribed" (the rows of those who have any)."""
    found: dict[int, list[str]] = {}
    with store.read() as connection:
        for sid, publication, status in connection.execute(
                select(subscriptions.c.subscriber_id, subscriptions.c.publication, subscriptions.c.status)
                .order_by(subscriptions.c.subscriber_id, subscriptions.c.publication)):
            found.setdefault(sid, []).append(f"{publication}={status}")
    return {sid: ";".join(pairs) for sid, pairs in found.items()}


def defuse(cell: str) -> str:
    """A cell a spreadsheet will not run as a formula: "=1+1" -> "'=1+1"."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def _when(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""
