"""Bring a roster into the store: plan every change, then apply it in one transaction.

Rules: new addresses are added as subscribed with every topic; a subscribed family's name,
schools and grades follow the roster, and its language too until the family has chosen
one itself; unsubscribed, bounced and complained addresses are never touched ("kept
suppressed"). Families missing from the roster are left alone. Re-importing changes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, String, and_, bindparam, insert, literal, select, update

from mailer.store.queries import values_for
from mailer.roster.families import BadRow, Family, Roster
from mailer.store.tables import (UTCDateTime, status_history, subscriber_grades, subscriber_schools, subscriber_topics,
                     subscribers, utcnow)
from mailer.store.subscribers import Store, replace_values
from mailer.values.topics import TOPICS

BATCH = 1000  # families written per round trip


@dataclass
class Update:
    id: int
    family: Family
    changes: list[str]  # e.g. ["language pt -> es", "schools aiken -> aiken, hall"]
    name: str | None
    language: str


@dataclass
class ImportReport:
    source: str
    rows: int
    families: int
    added: list[Family] = field(default_factory=list)
    updated: list[Update] = field(default_factory=list)
    unchanged: int = 0
    kept_suppressed: list[tuple[str, str]] = field(default_factory=list)  # (email, status)
    rejected: list[BadRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False


def import_roster(store: Store, roster: Roster, *, skip_invalid: bool = False, dry_run: bool = False) -> ImportReport:
    """Plan the import of `roster` and, unless `dry_run` or (without `skip_invalid`) any row
    was rejected, apply it in a single transaction: on any error nothing is written."""
    with store.write() as connection:
        report = plan(connection, roster)
        if dry_run or (report.rejected and not skip_invalid):
            connection.rollback()
            return report
        apply(connection, report, roster)
    report.written = True
    return report


def plan(connection: Connection, roster: Roster) -> ImportReport:
    report = ImportReport(roster.source, roster.rows, len(roster.families), rejected=list(roster.rejected),
                          notes=list(roster.notes))
    families = list(roster.families.values())
    for start in range(0, len(families), BATCH):
        chunk = families[start:start + BATCH]
        existing = {r.email: r for r in connection.execute(
            select(subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.language,
                   subscribers.c.status, subscribers.c.preferences_at)
            .where(subscribers.c.email.in_([f.email for f in chunk])))}
        ids = [r.id for r in existing.values()]
        schools, grades = values_for(connection, "schools", ids), values_for(connection, "grades", ids)
        for family in chunk:
            row = existing.get(family.email)
            if row is None:
                report.added.append(family)
            elif row.status != "subscribed":
                report.kept_suppressed.append((family.email, row.status))
            else:
                change = _compare(row, family, schools.get(row.id, ()), grades.get(row.id, ()), roster.columns)
                if change.changes:
                    report.updated.append(change)
                else:
                    report.unchanged += 1
    return report


def _compare(row, family: Family, schools: tuple, grades: tuple, columns: dict) -> Update:
    changes = []
    name, language = row.name, row.language
    if family.name and family.name != row.name:
        changes.append(f"name {row.name or '(none)'} -> {family.name}")
        name = family.name
    if family.language and family.language != row.language and row.preferences_at is None:
        changes.append(f"language {row.language} -> {family.language}")
        language = family.language
    for kind, old, new in (("school", schools, family.schools), ("grade", grades, family.grades)):
        if kind in columns and set(old) != new:
            changes.append(f"{kind}s {', '.join(old) or '(none)'} -> {', '.join(sorted(new)) or '(none)'}")
    return Update(row.id, family, changes, name, language)


def apply(connection: Connection, report: ImportReport, roster: Roster) -> None:
    for start in range(0, len(report.added), BATCH):
        _add_batch(connection, report.added[start:start + BATCH], roster.source)
    for start in range(0, len(report.updated), BATCH):
        _update_batch(connection, report.updated[start:start + BATCH], roster.columns)


def _add_batch(connection: Connection, families: list[Family], source: str) -> None:
    now = utcnow()
    rows = [{"email": f.email, "name": f.name, "language": f.language or "en", "status": "subscribed",
             "source": source, "consent_at": now, "created_at": now, "updated_at": now} for f in families]
    result = connection.execute(insert(subscribers).returning(subscribers.c.id, subscribers.c.email), rows)
    ids = {email: new_id for new_id, email in result}
    # This batch's rows: inserted in this transaction at `now` (no long IN lists: they are slow to send)
    new = and_(subscribers.c.id.between(min(ids.values()), max(ids.values())), subscribers.c.created_at == now,
               subscribers.c.source == source)
    history = connection.execute(insert(status_history).from_select(
        ["subscriber_id", "old_status", "new_status", "changed_by", "changed_at", "reason"],
        select(subscribers.c.id, literal(None, String), literal("subscribed"), literal(source),
               literal(now, UTCDateTime()), literal("on the roster")).where(new))
        .execution_options(preserve_rowcount=True))
    if history.rowcount != len(ids):  # never expected; rolls the whole import back
        raise RuntimeError(f"import batch mismatch: {history.rowcount} history rows for {len(ids)} families")
    for table, column, kind in ((subscriber_schools, "school", "schools"), (subscriber_grades, "grade", "grades")):
        value_rows = [{"subscriber_id": ids[f.email], column: v} for f in families for v in getattr(f, kind)]
        if value_rows:
            connection.execute(insert(table), value_rows)
    for topic in TOPICS:  # every topic for a new family: one INSERT ... SELECT per topic
        connection.execute(insert(subscriber_topics).from_select(
            ["subscriber_id", "topic"],
            select(subscribers.c.id, literal(topic)).where(new)))


def _update_batch(connection: Connection, updates: list[Update], columns: dict) -> None:
    now = utcnow()
    connection.execute(
        update(subscribers).where(subscribers.c.id == bindparam("b_id"))
        .values(name=bindparam("b_name"), language=bindparam("b_language"), updated_at=now),
        [{"b_id": u.id, "b_name": u.name, "b_language": u.language} for u in updates])
    if "school" in columns:
        replace_values(connection, "schools", {u.id: sorted(u.family.schools) for u in updates})
    if "grade" in columns:
        replace_values(connection, "grades", {u.id: sorted(u.family.grades) for u in updates})
