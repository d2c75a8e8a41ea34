"""Send an issue to a segment: the right language for every family, exactly once.

Flow per batch of recipients (streamed from the store by id, never all at once):
route each family to an edition (their language, the English fallback, or held), skip
those the send log says are done, claim the rest as "sending", hand them to the backend,
record each result. Rendering happens once per language, on first need.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from contextlib import nullcontext
from dataclasses import dataclass, field

from blocks.i18n.localize import localize
from blocks.model import Issue
from blocks.render import render_issue
from common.errors import ConfigError
from mailer.backends.base import DELIVERED, INVALID, PERMANENT, Backend, Journal, Outgoing, SendResult
from mailer.message.mime import HeaderInjection, MessageTemplate, check_envelope
from mailer.send import sendlog
from mailer.send.personalize import Personalizer
from mailer.send.routing import Router


@dataclass
class SendReport:
    planned: Counter = field(default_factory=Counter)        # edition language -> families
    by_school: Counter = field(default_factory=Counter)
    held: Counter = field(default_factory=Counter)           # family language -> families held
    skipped: Counter = field(default_factory=Counter)        # log status -> families already handled
    results: Counter = field(default_factory=Counter)        # status -> families, this run
    confirmed: int = 0                                       # found delivered after a crash


class Sender:
    def __init__(self, issue: Issue, store, backend: Backend, personalizer: Personalizer, *,
                 segment_name: str, web_url: str, resend: bool = False):
        self.issue, self.store, self.backend, self.personalizer = issue, store, backend, personalizer
        self.segment_name, self.web_url, self.resend = segment_name, web_url, resend
        self.router = Router(issue)
        self.templates: dict[str, MessageTemplate] = {}
        self.report = SendReport()
        self.date = dt.datetime.now(dt.timezone.utc)
        self._handed: list[int] = []            # subscribers of the batch being handed over

    def template(self, lang: str) -> MessageTemplate:
        if lang not in self.templates:
            pub = self.issue.publication
            email = render_issue(localize(self.issue, lang), lang, web_url=self.web_url, calendar_files=False)
            self.templates[lang] = MessageTemplate(
                email, sender=(pub.sender.name, pub.sender.email), reply_to=pub.reply_to,
                list_id=f"{pub.name} <newsletter.{pub.sender.email.split('@')[1]}>", date=self.date)
        return self.templates[lang]

    def run(self, segment, dry_run: bool = False) -> SendReport:
        """Send to every subscribed family of `segment`. A ConfigError (refused key or password,
        untrusted certificate) stops the send; the families not handed over stay unsent, so
        the same command reaches them once the setting is fixed."""
        try:
            with self.backend if not dry_run else nullcontext():
                for batch in self.store.recipient_batches(segment, batch_size=self.backend.batch_size):
                    self._batch(batch, dry_run)
        except ConfigError as error:
            with self.store.write() as connection:
                sendlog.release(connection, self.issue.slug, self._handed, error.problems[0].message)
            sent = sum(self.report.results[s] for s in DELIVERED)
            error.outcome = (f"sending stopped: {sent} famil{'y' if sent == 1 else 'ies'} sent in this run; "
                             "fix the setting and run the same command again to reach the others")
            raise
        return self.report

    def _batch(self, batch, dry_run: bool) -> None:
        routed = []
        for recipient in batch:
            lang = self.router.edition(recipient.language)
            if lang is None:
                self.report.held[recipient.language] += 1
                continue
            routed.append((recipient, lang))
        with self.store.read() as connection:
            logged = sendlog.logged(connection, self.issue.slug, [r.id for r, _ in routed])
        todo, uncertain = [], []
        for recipient, lang in routed:
            entry = logged.get(recipient.id)
            if entry and not self.resend and (entry.status in DELIVERED or entry.status in PERMANENT):
                self.report.skipped[entry.status] += 1
                continue
            (uncertain if entry and entry.status == sendlog.SENDING else todo).append((recipient, lang, entry))
            self.report.planned[lang] += 1
            for school in recipient.schools or ("",):
                self.report.by_school[school] += 1
        if dry_run:
            return
        messages, invalid = self._outgoing(todo + uncertain)
        self._record(invalid)
        confirmed = self.backend.delivered_before([m for m in messages if m.subscriber_id in
                                                   {r.id for r, _, _ in uncertain}])
        if confirmed:
            self.report.confirmed += len(confirmed)
            self._record([SendResult(i, "sent", detail="confirmed after a restart") for i in confirmed])
        self._deliver([m for m in messages if m.subscriber_id not in confirmed], logged)

    def _outgoing(self, items) -> tuple[list[Outgoing], list[SendResult]]:
        messages, invalid = [], []
        for recipient, lang, entry in items:
            attempt = entry.attempts if entry and self.resend and entry.status in DELIVERED else 0
            message_id = entry.message_id if entry and not attempt else self.personalizer.message_id(
                recipient.id, attempt)
            template = self.template(lang)
            envelope = self.personalizer.envelope(recipient, lang, message_id)
            try:
                check_envelope(envelope)                # refuses line breaks in names (header injection)
            except HeaderInjection as e:
                invalid.append(SendResult(recipient.id, INVALID, detail=str(e)))
                self._claim([{"subscriber_id": recipient.id, "email": recipient.email, "language": lang,
                              "message_id": message_id}], existing=[recipient.id] if entry else [])
                continue
            messages.append(Outgoing(recipient.id, recipient.email, template, envelope, {
                "issue": self.issue.slug, "lang": lang, "segment": self.segment_name,
                "subscriber": str(recipient.id)}))
        return messages, invalid

    def _claim(self, rows: list[dict], existing, status: str = sendlog.SENDING) -> None:
        rows = [dict(row, segment=self.segment_name, backend=self.backend.name) for row in rows]
        with self.store.write() as connection:
            sendlog.claim(connection, self.issue.slug, rows, existing, status)

    def _deliver(self, messages: list[Outgoing], logged) -> None:
        if not messages:
            return
        self._handed = [m.subscriber_id for m in messages]
        journaled = self.backend.journals_each_message
        self._claim([{"subscriber_id": m.subscriber_id, "email": m.email, "language": m.lang,
                      "message_id": m.envelope.message_id} for m in messages], logged.keys(),
                    sendlog.PENDING if journaled else sendlog.SENDING)
        if journaled:
            for result in self.backend.send(messages, _Journal(self)):
                self.report.results[result.status] += 1
            return
        pending: list[SendResult] = []
        for result in self.backend.send(messages):
            pending.append(result)
            if len(pending) >= self.backend.record_every:
                self._record(pending)
                pending = []
        self._record(pending)

    def _record(self, results: list[SendResult], count: bool = True) -> None:
        if not results:
            return
        with self.store.write() as connection:
            sendlog.record(connection, self.issue.slug, results)
        if count:
            self.report.results.update(result.status for result in results)


class _Journal(Journal):
    """Per-message journaling for backends that send one message at a time (SMTP)."""

    def __init__(self, sender: Sender):
        self.sender = sender

    def sending(self, message: Outgoing) -> None:
        with self.sender.store.write() as connection:
            sendlog.mark_sending(connection, self.sender.issue.slug, message.subscriber_id)

    def done(self, result: SendResult) -> None:
        self.sender._record([result], count=False)
