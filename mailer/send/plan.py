"""A dry run of a send: what it would do, per edition and school, without claiming or sending.

Recipients are streamed from the store by id, never all at once; each family is routed to
an edition (or held) and checked against the send log: done already, being sent by another
worker, or to send now. `decide` is also what the real send's claims apply (batches.py).
"""
from __future__ import annotations

from mailer.backends.base import REJECTED
from mailer.send import sendlog
from mailer.send.report import SendReport
from mailer.store import queries
from mailer.store.tables import utcnow

CONFIG_CAUSED = ("401", "403", "530", "535")     # legacy rejections caused by a wrong setting, not the family


def dry_run(sender, segment) -> SendReport:
    """Fill `sender.report` with the plan for `segment` and return it."""
    done = done_statuses(sender)
    slug = sender.issue.key
    if done:
        with sender.store.read() as connection:
            sender.report.skipped.update(queries.logged_counts(connection, segment, slug, done))
    for batch in sender.store.recipient_batches(segment, batch_size=sender.backend.batch_size,
                                                skip_logged=(slug, done) if done else None):
        _plan(sender, batch)
    return sender.report


def done_statuses(sender) -> tuple[str, ...]:
    """Send-log statuses that mean "done with this issue" for this run (left out of the query)."""
    if sender.resend:
        return ()
    return tuple(s for s in sendlog.DONE if not (s == sendlog.IN_DOUBT and sender.resend_in_doubt)
                 and not (s == REJECTED and sender.retry_failed))


def _plan(sender, batch) -> None:
    report, routed = sender.report, []
    for recipient in batch:
        lang = sender.router.edition(recipient.language)
        if lang is None:
            report.held[recipient.language] += 1
        else:
            routed.append((recipient, lang))
    with sender.store.read() as connection:
        logged = sendlog.logged(connection, sender.issue.key, [r.id for r, _ in routed])
    now = utcnow()
    for recipient, lang in routed:
        entry = logged.get(recipient.id)
        decision = decide(sender, entry, now)
        if decision == "busy":
            report.busy += 1
            continue
        if decision == "skip":
            report.skipped[entry.status] += 1
            continue
        report.planned[lang] += 1
        for school in recipient.schools or ("",):
            report.by_school[school] += 1


def decide(sender, entry, now) -> str:
    """send (new or retry), busy (another worker has it), or skip (done before)."""
    if entry is None:
        return "send"
    if entry.held_by_another(now):
        return "busy"
    if entry.status in (sendlog.PENDING, sendlog.SENDING, sendlog.FAILED) or sender.resend:
        return "send"
    if entry.status == sendlog.IN_DOUBT:
        return "send" if sender.resend_in_doubt else "skip"
    if entry.status == REJECTED and sender.retry_failed and entry.detail.startswith(CONFIG_CAUSED):
        return "send"
    return "skip"
