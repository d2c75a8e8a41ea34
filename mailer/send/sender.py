"""Send an issue to a segment: the right language for every family, exactly once.

Recipients are streamed from the store by id, never all at once. Each family is routed to
an edition (their language, the fallback, or held) and checked against the send log: done
already, being sent by another worker, or to send now. Families to send wait in one queue
per language until a full backend request's worth is ready (so 10,000 families in three
languages make 10 SendGrid requests, not 30), are claimed atomically for this worker, then
handed over; each result is recorded. Rendering happens once per language, on first need.

A ConfigError (refused key or password, untrusted certificate) or SendingStopped (server
unreachable, rate limit far away) stops the run: this worker's claims not yet handed over
become "failed", so the same command, rerun after the fix, reaches those families.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextlib import nullcontext

from blocks.i18n.localize import localize
from blocks.model import Issue
from blocks.render import render_issue
from common.errors import ConfigError, SendingStopped
from mailer.backends.base import DELIVERED, INVALID, PERMANENT, REJECTED, SENT, Backend, Journal, Outgoing, \
    SendResult
from mailer.message.mime import HeaderInjection, MessageTemplate, check_envelope
from mailer.send import sendlog
from mailer.send.personalize import Personalizer
from mailer.send.report import SendReport
from mailer.send.routing import Router
from mailer.store import queries
from mailer.store.tables import utcnow

CONFIG_CAUSED = ("401", "403", "530", "535")     # legacy rejections caused by a wrong setting, not the family


class Sender:
    def __init__(self, issue: Issue, store, backend: Backend, personalizer: Personalizer, *,
                 segment_name: str, web_url: str, resend: bool = False, retry_failed: bool = False,
                 resend_in_doubt: bool = False, on_progress: Callable[[int], None] | None = None,
                 rendered: dict | None = None):
        self.issue, self.store, self.backend, self.personalizer = issue, store, backend, personalizer
        self.segment_name, self.web_url = segment_name, web_url
        self.resend, self.retry_failed, self.resend_in_doubt = resend, retry_failed, resend_in_doubt
        self.on_progress = on_progress or (lambda _n: None)
        self.router = Router(issue)
        self.templates: dict[str, MessageTemplate] = {}
        self.rendered = {} if rendered is None else rendered   # lang -> RenderedEmail; may be shared by senders
        self.report = SendReport()
        self.date = dt.datetime.now(dt.timezone.utc)
        self.owner = sendlog.new_owner()
        self._queues: dict[str, list] = {}

    def template(self, lang: str) -> MessageTemplate:
        if lang not in self.templates:
            pub = self.issue.publication
            if lang not in self.rendered:                 # .ics too: they are published
                self.rendered[lang] = render_issue(localize(self.issue, lang), lang, web_url=self.web_url)
            email = self.rendered[lang]
            self.templates[lang] = MessageTemplate(
                email, sender=(pub.sender.name, pub.sender.email), reply_to=pub.reply_to,
                list_id=f"{pub.name} <{pub.slug}.newsletter.{pub.sender.email.split('@')[1]}>", date=self.date)
        return self.templates[lang]

    def run(self, segment, dry_run: bool = False) -> SendReport:
        """Send to every subscribed family of `segment` (a dry run only plans)."""
        done = self._done_statuses()
        if done:
            with self.store.read() as connection:
                self.report.skipped.update(queries.logged_counts(connection, segment, self.issue.key, done))
        try:
            with self.backend if not dry_run else nullcontext():
                for batch in self.store.recipient_batches(segment, batch_size=self.backend.batch_size,
                                                          skip_logged=(self.issue.key, done) if done else None):
                    self._plan(batch, dry_run)
                for lang in list(self._queues):
                    self._flush(lang)
        except (ConfigError, SendingStopped) as error:
            reason = error.problems[0].message
            with self.store.write() as connection:
                sendlog.release(connection, self.issue.key, self.owner, reason)
            self.report.stopped = reason
            delivered = self.report.delivered
            error.outcome = (f"sending stopped: {delivered} famil{'y' if delivered == 1 else 'ies'} got it in "
                             "this run; the others are still to send: fix the cause and run the same command "
                             "again")
            raise
        return self.report

    def _done_statuses(self) -> tuple[str, ...]:
        """Send-log statuses that mean "done with this issue" for this run (left out of the query)."""
        if self.resend:
            return ()
        return tuple(s for s in sendlog.DONE if not (s == sendlog.IN_DOUBT and self.resend_in_doubt)
                     and not (s == REJECTED and self.retry_failed))

    # -- planning ------------------------------------------------------------------------------
    def _plan(self, batch, dry_run: bool) -> None:
        routed = []
        for recipient in batch:
            lang = self.router.edition(recipient.language)
            if lang is None:
                self.report.held[recipient.language] += 1
            else:
                routed.append((recipient, lang))
        with self.store.read() as connection:
            logged = sendlog.logged(connection, self.issue.key, [r.id for r, _ in routed])
        now = utcnow()
        for recipient, lang in routed:
            entry = logged.get(recipient.id)
            decision = self._decide(entry, now)
            if decision == "busy":
                self.report.busy += 1
                continue
            if decision == "skip":
                self.report.skipped[entry.status] += 1
                continue
            self.report.planned[lang] += 1
            for school in recipient.schools or ("",):
                self.report.by_school[school] += 1
            if not dry_run:
                queue = self._queues.setdefault(lang, [])
                queue.append((recipient, lang, entry))
                if len(queue) >= self.backend.batch_size:
                    self._flush(lang)

    def _decide(self, entry, now) -> str:
        """send (new or retry), busy (another worker has it), or skip (done before)."""
        if entry is None:
            return "send"
        if entry.held_by_another(now):
            return "busy"
        if entry.status in (sendlog.PENDING, sendlog.SENDING, sendlog.FAILED) or self.resend:
            return "send"
        if entry.status == sendlog.IN_DOUBT:
            return "send" if self.resend_in_doubt else "skip"
        if entry.status == REJECTED and self.retry_failed and entry.detail.startswith(CONFIG_CAUSED):
            return "send"
        return "skip"

    # -- handing over --------------------------------------------------------------------------
    def _flush(self, lang: str) -> None:
        items = self._queues.pop(lang, [])
        if not items:
            return
        messages, invalid = self._outgoing(items)
        journaled = self.backend.journals_each_message
        claimed = self._claim(messages, invalid, items, sendlog.PENDING if journaled else sendlog.SENDING)
        lost = len(items) - len(claimed)            # taken by another worker since they were read
        self.report.busy += lost
        self.report.planned[lang] -= lost
        self._record([r for r in invalid if r.subscriber_id in claimed], lang)
        messages = [m for m in messages if m.subscriber_id in claimed]
        was_sending = {r.id for r, _, e in items if e is not None and e.status == sendlog.SENDING}
        uncertain = [m for m in messages if m.subscriber_id in was_sending]
        if uncertain:
            messages = self._resolve_uncertain(uncertain, messages, lang)
        if messages:
            self._deliver(messages, lang, journaled)

    def _outgoing(self, items) -> tuple[list[Outgoing], list[SendResult]]:
        messages, invalid = [], []
        for recipient, lang, entry in items:
            again = entry is not None and self.resend and entry.status in DELIVERED | PERMANENT
            message_id = self.personalizer.message_id(recipient.id, entry.attempts if again else 0) \
                if entry is None or again else entry.message_id
            envelope = self.personalizer.envelope(recipient, lang, message_id)
            try:
                check_envelope(envelope)                # refuses line breaks in names (header injection)
            except HeaderInjection as e:
                invalid.append(SendResult(recipient.id, INVALID, detail=str(e)))
                continue
            messages.append(Outgoing(recipient.id, recipient.email, self.template(lang), envelope, {
                "issue": self.issue.key, "lang": lang, "segment": self.segment_name,
                "subscriber": str(recipient.id)}))
        return messages, invalid

    def _claim(self, messages, invalid, items, status: str) -> set[int]:
        lang_of = {r.id: lang for r, lang, _ in items}
        ids = {m.subscriber_id: m.envelope.message_id for m in messages}
        rows = [{"subscriber_id": r.id, "email": r.email, "language": lang_of[r.id],
                 "message_id": ids.get(r.id) or (e.message_id if e else self.personalizer.message_id(r.id)),
                 "segment": self.segment_name, "backend": self.backend.name} for r, _, e in items]
        seen = {r.id: e for r, _, e in items if e is not None}
        with self.store.write() as connection:
            return sendlog.claim(connection, self.issue.key, rows, self.owner, status, seen)

    def _resolve_uncertain(self, uncertain: list[Outgoing], messages: list[Outgoing], lang: str) -> list[Outgoing]:
        """Handed over by a worker that died before recording: confirmed, in doubt, or sent again."""
        confirmed = self.backend.delivered_before(uncertain)
        if confirmed:
            self.report.confirmed += len(confirmed)
            self._record([SendResult(i, SENT, detail="confirmed after a restart") for i in confirmed], lang)
        doubtful = [] if self.resend_in_doubt or not self.backend.in_doubt_after_crash else \
            [m.subscriber_id for m in uncertain if m.subscriber_id not in confirmed]
        self._record([SendResult(i, sendlog.IN_DOUBT, detail="handed over when a send stopped; the provider's "
                                 "events will tell whether it arrived") for i in doubtful], lang)
        done = confirmed | set(doubtful)
        return [m for m in messages if m.subscriber_id not in done]

    def _deliver(self, messages: list[Outgoing], lang: str, journaled: bool) -> None:
        if journaled:
            for result in self.backend.send(messages, _Journal(self)):
                self.report.count(lang, result.status)
                self.on_progress(1)
            return
        pending: list[SendResult] = []
        for result in self.backend.send(messages):
            pending.append(result)
            if len(pending) >= self.backend.record_every:
                self._record(pending, lang)
                pending = []
        self._record(pending, lang)

    def _record(self, results: list[SendResult], lang: str | None = None) -> None:
        if not results:
            return
        with self.store.write() as connection:
            sendlog.record(connection, self.issue.key, results)
        if lang is not None:
            for result in results:
                self.report.count(lang, result.status)
            self.on_progress(len(results))


class _Journal(Journal):
    """Per-request journaling for backends that say when each request goes out (SMTP, SendGrid)."""

    def __init__(self, sender: Sender):
        self.sender = sender

    def sending(self, messages: list[Outgoing]) -> None:
        # Only where "handed over" differs from "claimed" after a crash: SendGrid marks the
        # request in doubt. SMTP sends an unrecorded claim again either way (same Message-ID),
        # so it skips this write and records each result as soon as it is known.
        if self.sender.backend.in_doubt_after_crash:
            with self.sender.store.write() as connection:
                sendlog.mark_sending(connection, self.sender.issue.key, [m.subscriber_id for m in messages])

    def done(self, results: list[SendResult]) -> None:
        self.sender._record(results)
