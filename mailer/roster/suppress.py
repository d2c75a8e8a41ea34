"""Suppression lists: addresses that must never get mail (bounces, spam complaints, opt-outs).

A file is a CSV with an email column and an optional status column (bounce/bounced,
complaint/complained/spamreport, unsubscribe/unsubscribed), or a plain list of addresses,
one per line. Unknown addresses are added as suppressed, so no later import can subscribe them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from mailer.values.emails import BadEmail, normalize_email
from mailer.values.languages import fold
from mailer.roster.families import BadRow
from mailer.store.tables import subscribers
from mailer.store.subscribers import Store, add_subscriber, change_status
from mailer.roster.spreadsheet import read_table

STATUS_WORDS = {
    "bounced": ("bounce", "bounced", "hardbounce", "blocked", "invalid", "dropped"),
    "complained": ("complaint", "complained", "spam", "spamreport", "abuse"),
    "unsubscribed": ("unsubscribe", "unsubscribed", "unsub", "optout", "optedout", "groupunsubscribe"),
}
_STATUS = {word: status for status, words in STATUS_WORDS.items() for word in words}
_EMAIL_HEADERS = {"email", "emailaddress", "address", "recipient", "parentemail", "guardianemail"}


@dataclass
class SuppressReport:
    source: str
    suppressed: list[tuple[str, str]] = field(default_factory=list)  # was subscribed: (email, new status)
    changed: list[tuple[str, str, str]] = field(default_factory=list)  # (email, old, new), both suppressed
    added: list[tuple[str, str]] = field(default_factory=list)  # unknown until now
    unchanged: int = 0
    rejected: list[BadRow] = field(default_factory=list)


def read_list(path: Path, default_status: str) -> tuple[dict[str, str], list[BadRow]]:
    """email -> status from a suppression file, and the lines that could not be used."""
    table = read_table(path)
    header = [fold(h) for h in table.headers]
    email_col = next((i for i, h in enumerate(header) if h in _EMAIL_HEADERS), None)
    status_col = next((i for i, h in enumerate(header) if h in ("status", "type", "event", "reason")), None)
    rows = table.rows
    if email_col is None:  # no header: every line is an address (with an optional status after it)
        rows, email_col, status_col = [(table.header_row, table.headers)] + rows, 0, 1
    wanted: dict[str, str] = {}
    rejected: list[BadRow] = []
    for number, cells in rows:
        def cell(i: int | None, cells=cells) -> str:
            return cells[i] if i is not None and i < len(cells) else ""
        try:
            email = normalize_email(cell(email_col))
        except BadEmail as e:
            rejected.append(BadRow(number, str(e)))
            continue
        word = fold(cell(status_col))
        status = _STATUS.get(word) if word else default_status
        if status is None:
            rejected.append(BadRow(number, f"unknown status '{cell(status_col)}'; use bounce, complaint or unsubscribe"))
            continue
        wanted[email] = status
    return wanted, rejected


def suppress(store: Store, path: Path, default_status: str = "bounced", reason: str = "") -> SuppressReport:
    """Mark every address in the file as bounced/complained/unsubscribed, with history, in one transaction."""
    wanted, rejected = read_list(path, default_status)
    report = SuppressReport(f"suppress:{path.name}", rejected=rejected)
    why = reason or f"on suppression list {path.name}"
    emails = list(wanted)
    with store.write() as connection:
        for start in range(0, len(emails), 500):
            chunk = emails[start:start + 500]
            existing = {r.email: r for r in connection.execute(
                select(subscribers.c.id, subscribers.c.email, subscribers.c.status)
                .where(subscribers.c.email.in_(chunk)))}
            for email in chunk:
                status, row = wanted[email], existing.get(email)
                if row is None:
                    add_subscriber(connection, email, status=status, by=report.source, reason=why)
                    report.added.append((email, status))
                elif row.status == status:
                    report.unchanged += 1
                else:
                    change_status(connection, row.id, row.status, status, by=report.source, reason=why)
                    if row.status == "subscribed":
                        report.suppressed.append((email, status))
                    else:
                        report.changed.append((email, row.status, status))
    return report
