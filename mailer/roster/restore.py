"""`subscribers import` of the tool's own export (mailer/store/subscriber_export.py): a restore, not a roster.

A district roster says who is on the list; an export says everything the store knew about each
family: status, schools, grades, topics, values nobody knew, the publications it left or joined,
and when. Read as a roster, its status column was ignored and every family came back subscribed.
Here:

- an address not in the store is added as the file has it (status, times, source, values,
  publications), so export -> import into an empty store -> export gives the same file;
- an address already in the store keeps what the store says, except that a suppression in the
  file (unsubscribed, bounced, complained; leaving one publication) is applied when stronger,
  unless the family opted in again after the file was made (`subscribers opt-in`, its consent
  time): an import never resubscribes anyone, and never loses an opt-out either.

Every bad cell is reported at once (row, column, hint) and nothing is written.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import insert, select

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path
from mailer.roster.spreadsheet import Table, read_table
from mailer.store.subscriber_export import COLUMNS
from mailer.store.subscribers import Store, set_status_in, stronger
from mailer.store.subscriptions import set_subscription, subscriptions_of
from mailer.store.tables import (STATUSES, SUBSCRIPTION_STATUSES, UNKNOWN_FIELDS, VALUE_TABLES, status_history,
                                 subscriber_unknown, subscribers, subscriptions, utcnow)
from mailer.values.emails import BadEmail, normalize_email
from mailer.values.languages import UnknownLanguage, language_code
from mailer.values.topics import TOPICS

REQUIRED = tuple(c for c in COLUMNS if c != "publications")    # exports made before that column restore too
TIMES = ("consent_at", "preferences_at", "created_at", "updated_at")


def is_export(table: Table) -> bool:
    """Whether the file's header is that of `subscribers export`."""
    return set(REQUIRED) <= set(table.headers)


@dataclass
class Restored:
    email: str
    row: int
    values: dict
    schools: list[str]
    grades: list[str]
    topics: list[str] | None           # None: every topic, new ones too
    unknown: list[tuple[str, str]]
    publications: dict[str, str]


@dataclass
class RestoreReport:
    source: str
    rows: int
    added: list[str] = field(default_factory=list)
    kept: int = 0                                            # already in the store, left as stored
    suppressed: list[tuple[str, str, str]] = field(default_factory=list)   # (email, old, new) applied from the file
    left: list[tuple[str, str]] = field(default_factory=list)              # (email, publication) left, from the file
    written: bool = False


def restore_export(store: Store, path: Path, *, dry_run: bool = False, table: Table | None = None) -> RestoreReport:
    """Restore the export at `path` (`table`: as read_table read it already); see the module's docstring."""
    table = table or read_table(path)
    families = _read(table)
    by = f"import:{path.name}"
    report = RestoreReport(by, len(table.rows))
    with store.write() as connection:
        existing = dict(connection.execute(select(subscribers.c.email, subscribers.c.id)
                                           .where(subscribers.c.email.in_([f.email for f in families]))).all()) \
            if families else {}
        for family in families:
            if family.email in existing:
                _keep_suppression(connection, existing[family.email], family, by, report)
            else:
                _add(connection, family, by)
                report.added.append(family.email)
        if dry_run:
            connection.rollback()
            return report
    report.written = True
    return report


def _read(table: Table) -> list[Restored]:
    shown, col = display_path(table.path), {h: i for i, h in enumerate(table.headers)}
    problems: list[Problem] = []
    found: list[Restored] = []
    seen: set[str] = set()

    def bad(number: int, column: str, message: str, hint: str) -> None:
        problems.append(Problem(shown, column, message, hint, number))

    for number, cells in table.rows:
        cell = {name: (cells[i] if i < len(cells) else "").strip() for name, i in col.items()}
        try:
            email = normalize_email(cell["email"])
        except BadEmail as e:
            bad(number, "email", str(e), "correct the address, or delete the row")
            continue
        if email in seen:
            bad(number, "email", f"{email} is on two rows", "an export has each address once: delete one row")
            continue
        seen.add(email)
        if cell["status"] not in STATUSES:
            bad(number, "status", f"'{cell['status']}' is not a status", f"use one of: {', '.join(STATUSES)}")
        try:
            language = language_code(cell["language"])
        except UnknownLanguage as e:
            bad(number, "language", str(e), "use a language code (es) or name (Spanish)")
            language = ""
        times = {}
        for name in TIMES:
            try:
                times[name] = _when(cell[name])
            except ValueError:
                bad(number, name, f"'{cell[name]}' is not a time", "use ISO 8601, as the export writes it: "
                    "2021-09-01T12:00:00+00:00")
        for name in ("created_at", "updated_at"):       # never empty in an export; required by the store
            times[name] = times.get(name) or utcnow()
        unknown = [tuple(pair.split("=", 1)) for pair in _split(cell["unknown"])]
        if any(len(pair) != 2 or pair[0] not in UNKNOWN_FIELDS for pair in unknown):
            bad(number, "unknown", f"'{cell['unknown']}' is not field=value pairs",
                f"fields are {', '.join(UNKNOWN_FIELDS)}, separated by ;")
        pairs = [tuple(pair.split("=", 1)) for pair in _split(cell.get("publications", ""))]
        if any(len(pair) != 2 or pair[1] not in SUBSCRIPTION_STATUSES for pair in pairs):
            bad(number, "publications", f"'{cell['publications']}' is not publication=status pairs",
                "e.g. equity=subscribed;food=unsubscribed")
            pairs = []
        topics = _split(cell["topics"])
        if any(t not in TOPICS for t in topics):
            bad(number, "topics", f"'{cell['topics']}' has a topic that is not one of {', '.join(TOPICS)}",
                "remove it from the cell")
        found.append(Restored(
            email, number,
            {"email": email, "name": cell["name"] or None, "language": language, "status": cell["status"],
             "source": cell["source"] or "import", "all_topics": set(topics) == set(TOPICS), **times},
            _split(cell["schools"]), _split(cell["grades"]), None if set(topics) == set(TOPICS) else topics,
            [(k, v) for k, v in unknown], dict(pairs)))
    if problems:
        raise NewsletterError(problems)
    return found


def _split(text: str) -> list[str]:
    return [part for part in (text or "").split(";") if part]


def _when(text: str) -> datetime | None:
    if not text:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _add(connection, family: Restored, by: str) -> None:
    new_id = connection.execute(insert(subscribers).values(**family.values)).inserted_primary_key[0]
    connection.execute(insert(status_history).values(
        subscriber_id=new_id, old_status=None, new_status=family.values["status"], changed_by=by,
        changed_at=utcnow(), reason="restored from an export"))
    for kind, (table, column) in VALUE_TABLES.items():
        values = family.topics if kind == "topics" else getattr(family, kind)
        if values:
            connection.execute(insert(table), [{"subscriber_id": new_id, column: v} for v in dict.fromkeys(values)])
    if family.unknown:
        connection.execute(insert(subscriber_unknown), [{"subscriber_id": new_id, "field": k, "value": v}
                                                       for k, v in dict.fromkeys(family.unknown)])
    if family.publications:
        connection.execute(insert(subscriptions), [
            {"subscriber_id": new_id, "publication": slug, "status": status, "changed_by": by,
             "changed_at": utcnow()} for slug, status in family.publications.items()])


def _keep_suppression(connection, subscriber_id: int, family: Restored, by: str, report: RestoreReport) -> None:
    """A family already in the store keeps what it says, made no weaker than the file's suppressions."""
    status, consent = connection.execute(select(subscribers.c.status, subscribers.c.consent_at)
                                         .where(subscribers.c.id == subscriber_id)).one()
    wanted, changed = family.values["status"], False
    # `subscribers opt-in` after the file was made (its times are to the second)
    opted_in_since = consent is not None and consent >= family.values["updated_at"] + timedelta(seconds=1)
    if stronger(status, wanted) and not opted_in_since:
        set_status_in(connection, family.email, wanted, by=by, reason="suppressed in the exported file")
        report.suppressed.append((family.email, status, wanted))
        changed = True
    stored = subscriptions_of(connection, subscriber_id)
    for slug, state in family.publications.items():
        if state == "unsubscribed" and stored.get(slug) != "unsubscribed":
            set_subscription(connection, subscriber_id, slug, "unsubscribed", by=by,
                             reason="left this publication in the exported file")
            report.left.append((family.email, slug))
            changed = True
    if not changed:
        report.kept += 1


def restore_report(report: RestoreReport, store_description: str, dry_run: bool) -> list[str]:
    would = "" if report.written else "would be "
    lines = [f"{report.source.split(':', 1)[1]}: an export of this tool ({report.rows:,} rows): restored as "
             "exported (status, schools, grades, topics, unknown values, publications, times), not read as a roster",
             f"  {would + 'added':<20}{len(report.added):>8,}",
             f"  {'unchanged':<20}{report.kept:>8,}   (already in the store: kept as stored)"]
    if report.suppressed or report.left:
        lines += ["", "Suppressions from the file applied to families already in the store (an import never "
                      "resubscribes, and never drops an opt-out):"]
        lines += [f"  {email}: {old} -> {new}" for email, old, new in report.suppressed]
        lines += [f"  {email}: left {slug}" for email, slug in report.left]
    lines.append("")
    lines.append(f"Imported into {store_description}." if report.written else "Dry run: nothing was written.")
    return lines
