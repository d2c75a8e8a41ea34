"""Who an issue reached, per language x school, and who it did not with what to do about it: the
studio's report after a send (the CLI's `report` shows the same send log per language and per school).

    grid(store, issue_key) -> ReachGrid        sent, rejected, bounced, complained, unsubscribed since
    failures_with_actions(store, issue_key)    each family not reached: status, reason, what to do
    failures_csv(rows) -> str                  the same as CSV, safe to open in a spreadsheet

No open tracking: opens are not counted here (privacy protection opens every message, and many mail
programs block the images that would count them).
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from mailer.store.tables import delivery_events, send_log, subscriber_schools, subscribers

COLUMNS = ("sent", "rejected", "bounced", "complained", "unsubscribed")
_EVENTS = {"bounce": "bounced", "dropped": "bounced", "spamreport": "complained", "unsubscribe": "unsubscribed",
           "group_unsubscribe": "unsubscribed"}
_STATUS = {"bounced": "bounced", "complained": "complained", "unsubscribed": "unsubscribed"}
ACTIONS = {
    "failed": "retry failed: the server did not take it (it may pass now)",
    "in_doubt": "resend in doubt: a crash cut the request off; resending may give some families a second copy",
    "rejected": "the server refused this address: correct it in the roster, or leave it",
    "invalid": "the address or name cannot be sent to: correct it in the roster",
    "pending": "being sent now (or left by a stopped send: the next send takes it over)",
    "sending": "being sent now (or left by a stopped send: the next send takes it over)",
}
NOT_REACHED = tuple(ACTIONS)


@dataclass
class ReachGrid:
    issue_key: str
    cells: dict                        # (language, school) -> {column: families}
    languages: list[str]
    schools: list[str]
    by_language: dict = None           # language -> {column: families} (each family once)

    def total(self, *, language: str | None = None, school: str | None = None) -> dict:
        """Families of a language (each once, whatever their schools), or a sum of cells."""
        if language is not None and school is None and self.by_language is not None:
            return dict(self.by_language.get(language, dict.fromkeys(COLUMNS, 0)))
        out = dict.fromkeys(COLUMNS, 0)
        for (lang, sch), counts in self.cells.items():
            if (language is None or lang == language) and (school is None or sch == school):
                for column in COLUMNS:
                    out[column] += counts[column]
        return out

    @property
    def sent_anything(self) -> bool:
        return bool(self.cells)


def grid(store, issue_key: str) -> ReachGrid:
    """Per language x school (a family in two schools counts in both; no school: ""): families sent
    to, refused by the server, and those that bounced, complained or unsubscribed since (from the
    provider's events as the webhook brings them, and the families' status now)."""
    cells: dict = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    by_language: dict = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    with store.read() as connection:
        logged = connection.execute(select(send_log.c.subscriber_id, send_log.c.language, send_log.c.status,
                                           send_log.c.updated_at, subscribers.c.status.label("now"))
                                    .join(subscribers, subscribers.c.id == send_log.c.subscriber_id)
                                    .where(send_log.c.issue == issue_key)).all()
        events = defaultdict(set)
        for row in connection.execute(select(delivery_events.c.subscriber_id, delivery_events.c.event)
                                      .where(delivery_events.c.issue == issue_key)):
            if row.event in _EVENTS:
                events[row.subscriber_id].add(_EVENTS[row.event])
        ids = {row.subscriber_id for row in logged}
        schools = defaultdict(list)
        for row in connection.execute(select(subscriber_schools)):
            if row.subscriber_id in ids:
                schools[row.subscriber_id].append(row.school)
    for row in logged:
        columns = set()
        if row.status in ("sent", "queued"):
            columns = {"sent"} | events.get(row.subscriber_id, set())
            if row.now in _STATUS:
                columns.add(_STATUS[row.now])
        elif row.status in ("rejected", "invalid"):
            columns = {"rejected"}
        for column in columns:
            by_language[row.language][column] += 1
        for school in schools.get(row.subscriber_id) or [""]:
            for column in columns:
                cells[(row.language, school)][column] += 1
            cells[(row.language, school)]          # listed even with nothing yet
    return ReachGrid(issue_key, dict(cells), sorted({k[0] for k in cells}), sorted({k[1] for k in cells}),
                     dict(by_language))


def failures_with_actions(store, issue_key: str) -> list[dict]:
    """Every family of the issue not reached: email, language, status, reason, action, updated_at."""
    from mailer.reports.reach import failures
    return [{**row, "action": ACTIONS.get(row["status"], "")} for row in failures(store, issue_key)]


def formula_safe(value) -> str:
    """A cell a spreadsheet shows as text: = + - @ (and tab, carriage return) at the start get a '."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


FAILURE_FIELDS = ("email", "language", "status", "reason", "action", "backend", "updated_at")


def failures_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FAILURE_FIELDS)
    for row in rows:
        writer.writerow([formula_safe(row.get(name, "")) for name in FAILURE_FIELDS])
    return out.getvalue()
