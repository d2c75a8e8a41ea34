"""Send an issue to a segment: the right language for every family, exactly once.

Each family is routed to an edition (their language, the fallback, or held). A dry run
streams the recipients from the store by id and plans. A real send then takes its work from
the store a batch at a time (batches.py): a full backend request's worth of families of one
edition (1,000 for SendGrid), claimed atomically for this worker in the send log, handed
over, each result recorded; so 10,000 families in three languages make 12 SendGrid requests,
and 2, 4 or N workers on one store share a send with the same number of requests, never a
family twice. Rendering happens once per language, on first need.

A ConfigError (refused key or password, untrusted certificate) or SendingStopped (server
unreachable, rate limit far away) stops the run: this worker's claims not yet handed over
become "failed", so the same command, rerun after the fix, reaches those families.

A family refused for now (SMTP 451 greylisting, 421, 452) never holds up the others: it goes
back to the queue with its own not-before time, the backend's retry schedule (2, 4, 8 ... s:
SMTP_RETRY_DELAY doubled, SMTP_RETRIES times) counted per family in the send log, and the
batch and the batches behind it go on. Once only such families are left, the run waits for
the earliest (`sleep`, on `clock`: tests pass a fake one) and tries it again, by whichever
run or worker gets there first; after the schedule's last try, it is "failed" with the
server's reply (the same command or --retry-failed tries it again later).
"""
from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from functools import partial

from sqlalchemy import func, select

from blocks.i18n.localize import localize
from blocks.model import Issue
from blocks.render import render_issue
from common.errors import ConfigError, SendingStopped
from mailer.backends.backend import DELIVERED, FAILED, INVALID, PERMANENT, REJECTED, SENT, Backend, Journal, \
    Outgoing, SendResult
from mailer.backends.retry import RetryPolicy
from mailer.message.mime import HeaderInjection, MessageTemplate, check_envelope
from mailer.send import batches, sendlog
from mailer.send.personalize import Personalizer
from mailer.send.run_report import SendReport, families_text
from mailer.send.routing import Router
from mailer.store import queries
from mailer.store.tables import send_log, utcnow


CONFIG_CAUSED = ("401", "403", "530", "535")     # legacy rejections caused by a wrong setting, not the family
REFUSAL_LIMIT = 10      # the first N recipients all refused with one reply: a setting, not N bad addresses
REFUSAL_WINDOW, REFUSAL_RATE = 50, 90   # or 90% of the last 50 refused for good: the server, not the addresses
CANCELLED = "cancelled: no new batch was claimed; rerun the same command to send the rest"


class Sender:
    def __init__(self, issue: Issue, store, backend: Backend, personalizer: Personalizer, *,
                 segment_name: str, web_url: str, resend: bool = False, retry_failed: bool = False,
                 resend_in_doubt: bool = False, on_progress: Callable[[int], None] | None = None,
                 rendered: dict | None = None, cancel: Callable[[], bool] | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, sleep: Callable[[float], None] = time.sleep,
                 refusal_limit: int = REFUSAL_LIMIT, refusal_window: int = REFUSAL_WINDOW,
                 refusal_rate: int = REFUSAL_RATE):
        self.issue, self.store, self.backend, self.personalizer = issue, store, backend, personalizer
        self.segment_name, self.web_url = segment_name, web_url
        self.resend, self.retry_failed, self.resend_in_doubt = resend, retry_failed, resend_in_doubt
        self.on_progress = on_progress or (lambda _n: None)
        self.cancel = cancel or (lambda: False)          # asked between batches: stop claiming when True
        self.router = Router(issue)
        self.templates: dict[str, MessageTemplate] = {}
        self.rendered = {} if rendered is None else rendered   # lang -> RenderedEmail; may be shared by senders
        self.report = SendReport()
        self.date = dt.datetime.now(dt.timezone.utc)
        self.owner = sendlog.new_owner(in_flight=getattr(backend, "transmitting_at_once", 0))
        self._results_log = None                          # SerialWrites while run() sends
        self._sending_languages: list[str] = []           # family languages routed to an edition
        self.clock, self.sleep = clock, sleep              # tests: a fake clock that sleeping moves on
        self._deferrals: dict[int, int] = {}               # claimed family -> temporary refusals in a row (> 0)
        self._waiting: set[int] = set()                    # families this run sent back to the queue
        self._last_due: dt.datetime | None = None          # the not-before time last waited for
        self.retry = getattr(backend, "retry", None) or RetryPolicy()   # how often, how long for those
        # the circuit breaker: the first results of the run, while they are all refusals
        self.refusal_limit = refusal_limit
        self._refusals: list[tuple[SendResult, str]] | None = [] if refusal_limit else None
        # ... and its second trigger: the last `refusal_window` results (a refusal's reply, None for a
        # delivery), of which `_window_refused` are refusals
        self.refusal_window, self.refusal_rate = refusal_window, refusal_rate
        self._window: deque[str | None] = deque(maxlen=max(refusal_window, 1))
        self._window_refused = 0

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
        if dry_run:
            return self._dry_run(segment)
        try:
            # results are recorded one at a time over one connection (the backend's threads
            # are done before it closes)
            with self.store.serial_writes() as self._results_log, self.backend:
                self._send_batches(segment)
        except (ConfigError, SendingStopped) as error:
            reason = error.problems[0].message
            if getattr(error, "refused_replies", None):
                self._unreject(error.refused_replies)
            with self.store.write() as connection:
                sendlog.release(connection, self.issue.key, self.owner, reason)
            self._count_still_waiting()
            self._count_left_to_others(segment)
            self.report.stopped = reason
            delivered = self.report.delivered
            error.outcome = (f"sending stopped: {families_text(delivered)} got it in "
                             "this run; the others are still to send: fix the cause and run the same command "
                             "again")
            raise
        self._count_still_waiting()
        self._count_left_to_others(segment)
        return self.report

    def _count_still_waiting(self) -> None:
        """Families this run sent back to the queue that no run has reached when it ends (it
        stopped, or stopped waiting): failed in this run's results, still due for a retry."""
        if not self._waiting:
            return
        c = send_log.c
        with self.store.read() as connection:
            rows = connection.execute(select(c.language, func.count()).where(
                c.issue == self.issue.key, c.status == FAILED, c.subscriber_id.in_(sorted(self._waiting)))
                .group_by(c.language)).all()
        for lang, count in rows:
            self.report.count(lang, FAILED, count)
        self._waiting.clear()

    def _count_left_to_others(self, segment) -> None:
        """The report's picture of the segment beside this run's results, from one snapshot at the
        end: held, done by others ("skipped"), held by a live run ("busy"), not reached by any."""
        if not self._sending_languages and not self.report.held:
            return
        with self.store.snapshot() as connection:
            now = self.clock()
            found = batches.standing(connection, self.issue.key, self.owner, segment, self._sending_languages, now)
        report = self.report
        report.held, report.skipped, report.busy_runs = found.held, found.done_by_others, found.busy_runs
        report.busy = sum(found.busy_runs.values())
        report.not_reached, report.segment_total, report.segment_delivered = \
            found.not_reached, found.total, found.delivered

    def _send_batches(self, segment) -> None:
        """Claim whole batches of one edition from the store and hand each over, until none is left."""
        with self.store.read() as connection:
            by_language = batches.languages(connection, segment)
        editions: dict[str, list[str]] = {}
        for language, count in sorted(by_language.items()):
            edition = self.router.edition(language)
            if edition is None:
                self.report.held[language] += count
            else:
                editions.setdefault(edition, []).append(language)
        self._sending_languages = [language for languages in editions.values() for language in languages]
        status = sendlog.PENDING if self.backend.journals_each_message else sendlog.SENDING
        every = [(lang, batches.Claims(self.issue.key, self.owner, segment, languages, self.backend.batch_size,
                                       self.decide, status, partial(self._log_row, lang=lang), self.clock))
                 for lang, languages in editions.items()]
        for lang, claims in every:                        # the first pass: the whole list, by id
            self._pass(claims, lang)
        # then, until nothing is left for this run: what a run that is gone left behind, and the
        # families sent back to the queue by a temporary refusal once their time has come
        while not self.report.stopped:
            if not sum(self._pass(claims, lang, retake=True) for lang, claims in every) \
                    and not self._wait_for_due(segment):
                return

    def _pass(self, claims: batches.Claims, lang: str, retake: bool = False) -> int:
        """Claim and hand over batches of one edition until the list is done; how many were claimed."""
        after_id, claimed = 0, 0
        while not self.report.stopped:
            if self.cancel():
                self.report.stopped = CANCELLED
                break
            with self.store.write() as connection:
                batch = batches.claim_batch(connection, claims, after_id, retake=retake)
            if batch.in_flight:                           # a stopped run's messages in transmission
                self.report.in_flight += [family._asdict() for family in batch.in_flight]
            if batch.last_id == after_id:
                break
            after_id = batch.last_id
            if batch.items:
                claimed += len(batch.items)
                with self.store.read() as connection:
                    items = batches.recipients(connection, batch.items)
                self._hand_over([(r, lang, e) for r, e in items], lang)
        return claimed

    def _wait_for_due(self, segment) -> bool:
        """Only families sent back to the queue are left: wait for the earliest (True), unless
        none is waiting or it is further off than the retry schedule allows (False: they stay
        failed with their time; another run or the next takes them)."""
        with self.store.read() as connection:
            earliest = sendlog.waiting_until(connection, self.issue.key,
                                             batches.segment_ids(segment, self._sending_languages))
        if earliest is None:
            return False
        wait = (earliest - self.clock()).total_seconds()
        if wait > self.retry.longest_wait or (wait <= 0 and earliest == self._last_due):
            return False                              # (due, yet not claimable again: left to the next run)
        self._last_due = earliest
        self.sleep(max(0.0, wait))
        return True

    # -- the dry run: what a send would do, per edition and school, without claiming or sending --
    def _dry_run(self, segment) -> SendReport:
        """Fill the report with the plan for `segment` and return it. Recipients are streamed from
        the store by id, never all at once; each family is routed to an edition (or held) and
        checked against the send log: done already, being sent by another worker, or to send now."""
        done = self._done_statuses()
        slug = self.issue.key
        if done:
            with self.store.read() as connection:
                self.report.skipped.update(queries.logged_counts(connection, segment, slug, done))
        for batch in self.store.recipient_batches(segment, batch_size=self.backend.batch_size,
                                                  skip_logged=(slug, done) if done else None):
            self._plan(batch)
        return self.report

    def _done_statuses(self) -> tuple[str, ...]:
        """Send-log statuses that mean "done with this issue" for this run (left out of the query)."""
        if self.resend:
            return ()
        return tuple(s for s in sendlog.DONE if not (s == sendlog.IN_DOUBT and self.resend_in_doubt)
                     and not (s in PERMANENT and self.retry_failed))

    def _plan(self, batch) -> None:
        report, routed = self.report, []
        for recipient in batch:
            lang = self.router.edition(recipient.language)
            if lang is None:
                report.held[recipient.language] += 1
            else:
                routed.append((recipient, lang))
        with self.store.read() as connection:
            logged = sendlog.logged(connection, self.issue.key, [r.id for r, _ in routed])
        now = utcnow()
        for recipient, lang in routed:
            entry = logged.get(recipient.id)
            decision = self.decide(entry, now)
            if decision == "busy":
                report.busy += 1
                continue
            if decision == "skip":
                report.skipped[entry.status] += 1
                continue
            report.planned[lang] += 1
            for school in recipient.schools or ("",):
                report.by_school[school] += 1

    def decide(self, entry, now) -> str:
        """send (new or retry), busy (another worker has it), or skip (done before): what the dry
        run counts and what the real send's claims apply (batches.py)."""
        if entry is None:
            return "send"
        if entry.held_by_another(now):
            return "busy"
        if entry.waiting(now) and not self.resend:
            return "wait"
        if entry.status in (sendlog.PENDING, sendlog.SENDING, sendlog.FAILED) or self.resend:
            return "send"
        if entry.status == sendlog.IN_DOUBT:
            return "send" if self.resend_in_doubt else "skip"
        if entry.status in PERMANENT and self.retry_failed:      # rejected or invalid: tried again
            return "send"
        return "skip"

    # -- handing over --------------------------------------------------------------------------
    def _log_row(self, candidate, entry, lang: str) -> dict:
        """The send-log row claiming `candidate` (a family read from the store) for edition `lang`."""
        return {"subscriber_id": candidate.id, "email": candidate.email, "language": lang,
                "message_id": self._message_id(candidate.id, entry), "segment": self.segment_name,
                "backend": self.backend.name}

    def _message_id(self, subscriber_id: int, entry) -> str:
        again = entry is not None and self.resend and entry.status in DELIVERED | PERMANENT
        if entry is None or again:
            return self.personalizer.message_id(subscriber_id, entry.attempts if again else 0)
        return entry.message_id

    def _hand_over(self, items, lang: str) -> None:
        """Claimed families (recipient, lang, log entry as it was): personalize, deliver, record."""
        for recipient, _, entry in items:
            if entry is not None and entry.deferrals:
                self._deferrals[recipient.id] = entry.deferrals
            if recipient.id in self._waiting:             # this run's own retry: planned already
                continue
            self.report.planned[lang] += 1
            for school in recipient.schools or ("",):
                self.report.by_school[school] += 1
        messages, invalid = self._outgoing(items)
        self._record(invalid, lang)
        was_sending = {r.id for r, _, e in items if e is not None and e.status == sendlog.SENDING}
        uncertain = [m for m in messages if m.subscriber_id in was_sending]
        if uncertain:
            messages = self._resolve_uncertain(uncertain, messages, lang)
        if messages:
            self._deliver(messages, lang, self.backend.journals_each_message)

    def _outgoing(self, items) -> tuple[list[Outgoing], list[SendResult]]:
        messages, invalid = [], []
        for recipient, lang, entry in items:
            envelope = self.personalizer.envelope(recipient, lang, self._message_id(recipient.id, entry))
            try:
                check_envelope(envelope)                # refuses line breaks in names (header injection)
            except HeaderInjection as e:
                invalid.append(SendResult(recipient.id, INVALID, detail=str(e)))
                continue
            messages.append(Outgoing(recipient.id, recipient.email, self.template(lang), envelope, {
                "issue": self.issue.key, "lang": lang, "segment": self.segment_name,
                "subscriber": str(recipient.id)}))
        return messages, invalid

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
                if result.temporary and result.subscriber_id in self._waiting:
                    continue                                 # back in the queue (recorded so by the journal)
                self.report.count(lang, result.status)
                self.on_progress(1)
                self._watch_refusals(result, lang)
            return
        pending: list[SendResult] = []
        for result in self.backend.send(messages):
            pending.append(result)
            if len(pending) >= self.backend.record_every:
                self._record(pending, lang)
                pending = []
        self._record(pending, lang)

    def _watch_refusals(self, result: SendResult, lang: str) -> None:
        """The circuit breaker: when the first `refusal_limit` recipients of the run are all
        refused with the same reply, or `refusal_rate` percent of the last `refusal_window`, the
        server is refusing the sender (a relay or sender-domain setting), not that many addresses:
        those families become failed, not rejected, and the run stops with the reply (ConfigError;
        the rest are released by run())."""
        if result.status not in (REJECTED, *DELIVERED):
            return
        self._watch_window(result)
        if self._refusals is None:
            return
        if result.status != REJECTED:
            self._refusals = None                      # something went through: addresses, not a setting
            return
        self._refusals.append((result, lang))
        if len(self._refusals) < self.refusal_limit:
            return
        refused, self._refusals = self._refusals, None
        replies = {_same_reply(r.detail) for r, _ in refused}
        if len(replies) != 1:
            return
        reply = refused[0][0].detail
        setting = "SMTP_HOST" if self.backend.name == "smtp" else f"{self.backend.name} settings"
        error = ConfigError(setting, f"the server refused the first {len(refused)} recipients of this run with the "
                            f"same reply: {reply}", "check SMTP_HOST / the sender's domain (the From address of "
                            "publication.yaml, its SPF/DKIM, the relay's permission for it) and SMTP_USER; those "
                            "families are failed, not rejected: run the same command again after the fix",
                            outcome="")
        error.refused_replies = replies
        raise error

    def _watch_window(self, result: SendResult) -> None:
        """The second trigger: `refusal_rate` percent or more of the last `refusal_window`
        recipients refused for good (a server that took the first ones, then refused everyone)."""
        if not self.refusal_window:
            return
        window = self._window
        if len(window) == window.maxlen and window[0] is not None:
            self._window_refused -= 1                  # the oldest leaves the window
        reply = _same_reply(result.detail) if result.status == REJECTED else None
        window.append(reply)
        if reply is None:
            return
        self._window_refused += 1
        if len(window) < self.refusal_window or self._window_refused * 100 < self.refusal_rate * self.refusal_window:
            return
        replies = Counter(r for r in window if r is not None)
        (common, times), = replies.most_common(1)
        setting = "SMTP_HOST" if self.backend.name == "smtp" else f"{self.backend.name} settings"
        error = ConfigError(setting, f"the server refused {self._window_refused} of the last {len(window)} recipients "
                            f"of this run ({100 * self._window_refused // len(window)}%), {times} of them with the "
                            f"same reply: {common}", "check SMTP_HOST / the sender's domain (the From address of "
                            "publication.yaml, its SPF/DKIM, the relay's permission for it) and SMTP_USER; those "
                            "families are failed, not rejected: run the same command again after the fix "
                            "(NEWSLETTER_SEND_REFUSAL_WINDOW and NEWSLETTER_SEND_REFUSAL_RATE set this limit)",
                            outcome="")
        error.refused_replies = set(replies)
        raise error

    def _unreject(self, replies: set[str]) -> None:
        """After the circuit breaker: this run's families refused with one of `replies` become
        failed (the messages in flight when it tripped included), so the fixed rerun sends to them."""
        c = send_log.c
        with self.store.write() as connection:
            rows = [row for row in connection.execute(select(c.subscriber_id, c.language, c.detail).where(
                c.issue == self.issue.key, c.owner == self.owner, c.status == REJECTED))
                if _same_reply(row.detail) in replies]
            sendlog.record(connection, self.issue.key, [SendResult(row.subscriber_id, FAILED, detail=(
                f"not sent: the server refused this run's recipients alike with \"{row.detail}\" (a setting, not this "
                "address)"))
                for row in rows])
        for row in rows:
            self.report.count(row.language, REJECTED, -1)
            self.report.count(row.language, FAILED)

    def _record(self, results: list[SendResult], lang: str | None = None) -> None:
        """Store results (from the backend's threads, for journaling backends: no `lang`, the
        sending loop counts them); a family refused for now goes back to the queue, or after
        the schedule's last try is failed."""
        if not results:
            return
        deferred, final = self._defer(results)
        with self._results_log.write() as connection:
            sendlog.record(connection, self.issue.key, final, deferred)
        for result in final:
            self._deferrals.pop(result.subscriber_id, None)
            if result.subscriber_id in deferred:
                self._waiting.add(result.subscriber_id)
            else:
                self._waiting.discard(result.subscriber_id)
        if lang is not None:
            counted = [r for r in final if r.subscriber_id not in deferred]
            for result in counted:
                self.report.count(lang, result.status)
            if counted:
                self.on_progress(len(counted))

    def _defer(self, results: list[SendResult]) -> tuple[dict[int, tuple[dt.datetime, int]], list[SendResult]]:
        """Temporary refusals: the families sent back to the queue (id -> not-before time and
        refusals in a row), and every result as it is to be recorded (those refused for now
        once too often: failed for this run, with the server's reply)."""
        retry, deferred, final = self.retry, {}, []
        for result in results:
            if not result.temporary:
                final.append(result)
                continue
            refusals = self._deferrals.get(result.subscriber_id, 0) + 1
            if refusals <= retry.retries:
                deferred[result.subscriber_id] = (self.clock() + dt.timedelta(seconds=retry.wait_before(refusals)),
                                                  refusals)
                final.append(result)
                continue
            tries = f"{refusals} tries over {retry.total_wait:g} s" if retry.retries else "1 try"
            final.append(SendResult(result.subscriber_id, FAILED, result.provider_id, (
                f"{result.detail} (refused for now, {tries}; the same command or --retry-failed tries again)")))
        return deferred, final


class _Journal(Journal):
    """Per-request journaling for backends that say when each request goes out (SMTP, SendGrid)."""

    def __init__(self, sender: Sender):
        self.sender = sender

    def sending(self, messages: list[Outgoing]) -> None:
        # Only where "handed over" differs from "claimed" after a crash: SendGrid marks the
        # request in doubt. SMTP sends an unrecorded claim again either way (same Message-ID),
        # so it skips this write and records each result as soon as it is known.
        if self.sender.backend.in_doubt_after_crash:
            with self.sender._results_log.write() as connection:
                sendlog.mark_sending(connection, self.sender.issue.key, [m.subscriber_id for m in messages])

    def done(self, results: list[SendResult]) -> None:
        self.sender._record(results)


def _same_reply(detail: str) -> str:
    """A refusal's reply without the address it names ("550 5.7.1 <a@b.org>: relay denied")."""
    return re.sub(r"<?[^\s<>]+@[^\s<>]+>?", "<address>", detail).strip()
