"""Sending an issue, as a workflow: plan, test-send, send. Every face calls these (the CLI's
`send`, the studio, a scheduler, a ten-line script); none of them prints or asks.

    job = prepare(settings, SendRequest(Path("newsletters/equity/2021-09-sept-oct"), "all-families"))
    the_plan = plan(settings, job)                 # SendPlan: the confirmation's content, as data
    proofs = test_send(settings, job, ["me@district.org"])
    outcome = send(settings, job, on_progress=bar.update, cancel=stop.is_set)
    outcome.report, outcome.report_path, outcome.not_reached

The invariants live here, not in a face: the machine translations of a server on this
computer never reach families (unless allowed, for tests); the web editions are published and
their links checked before the first family gets a message; what the run did is saved as a
report before `send` returns or raises.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import NewsletterError
from common.settings import Settings
from workflows import web_editions

NOT_REACHED = ("failed", "rejected", "invalid", "in_doubt")


@dataclass(frozen=True)
class SendRequest:
    """What to send to whom, and how: the options of `compose.py send`."""
    issue_dir: Path
    segment: str
    backend: str = "outbox"
    outbox_dir: Path = Path("outbox")
    reports_dir: Path = Path("reports")
    audiences: Path | None = None                 # default: Settings.audiences, ./audiences.yaml
    resend: bool = False                          # families who already got it, again
    retry_failed: bool = False                    # families refused for good (rejected, invalid), again
    resend_in_doubt: bool = False                 # families a crash left in doubt
    skip_link_check: bool = False
    allow_local_translations: bool = False        # tests against local servers only


@dataclass
class SendJob:
    """A request made ready: the issue read, the segment found, the backend and links set up.
    `notes` are things the person sending should know (e.g. links signed with the demo secret)."""
    request: SendRequest
    issue: object
    segment: object
    backend: object
    signer: object
    web_url: str
    mailto: str = ""
    notes: list[str] = field(default_factory=list)
    refusal_limit: int = 10                       # NEWSLETTER_SEND_REFUSALS: the circuit breaker
    refusal_window: int = 50                      # NEWSLETTER_SEND_REFUSAL_WINDOW and _RATE: its second trigger
    refusal_rate: int = 90

    @property
    def backend_name(self) -> str:
        return self.request.backend

    @property
    def reports(self) -> Path:
        return self.request.reports_dir / self.issue.key

    @property
    def outbox_dir(self) -> Path:
        return self.request.outbox_dir

    def open_store(self, settings: Settings):
        from mailer.store.subscribers import Store
        return Store.of(settings)

    def sender(self, store, *, rendered: dict | None = None, on_progress=None, cancel=None, clock=None, sleep=None):
        from mailer.send.personalize import Personalizer
        from mailer.send.sender import Sender

        request = self.request
        domain = self.issue.publication.sender.email.split("@")[1]
        personalizer = Personalizer(self.issue.key, self.signer, domain, self.web_url, self.mailto,
                                   self.issue.library)
        return Sender(self.issue, store, self.backend, personalizer, segment_name=self.segment.name,
                      web_url=self.web_url, resend=request.resend, retry_failed=request.retry_failed,
                      resend_in_doubt=request.resend_in_doubt, rendered=rendered, on_progress=on_progress,
                      cancel=cancel, refusal_limit=self.refusal_limit, refusal_window=self.refusal_window,
                      refusal_rate=self.refusal_rate,
                      **{k: v for k, v in (("clock", clock), ("sleep", sleep)) if v is not None})


@dataclass(frozen=True)
class Edition:
    """One home language of the segment: how many families read it and what they get."""
    language: str
    name: str
    families: int
    kind: str                  # human, machine, mixed, fallback, hold (mailer.send.routing)
    edition: str | None
    reason: str


@dataclass
class SendPlan:
    """What a send would do now, as the confirmation shows it (nothing is claimed or sent)."""
    issue_key: str
    segment: str
    backend: str
    sender: tuple[str, str]                                  # name, address
    subjects: dict[str, str]                                 # edition language -> subject
    report: object                                           # mailer.send.run_report.SendReport (the dry run)
    editions: list[Edition]                                  # per home language, most families first
    proofs: list[dict]                                       # proofs sent so far, oldest first
    local_translations: dict[str, list[str]]                 # language -> local providers (refused by send)
    notes: list[str]

    @property
    def total(self) -> int:
        return sum(self.report.planned.values())

    @property
    def planned(self) -> Counter:
        return self.report.planned


@dataclass(frozen=True)
class NextStep:
    """Families of the segment not reached, of one status, and what reaches them."""
    status: str                # failed, rejected, invalid, in_doubt, pending
    families: int
    command: str               # the command to run (after fixing the cause, where there is one)
    note: str = ""             # what to know first (e.g. in doubt: some may get it twice)


@dataclass
class SendOutcome:
    """What a send did: its report (saved at `report_path`), where the web edition is; the
    families of the segment no run has reached yet, per status, with the command for each
    (`next_steps`, from the send log at the run's end); `warnings` (the families a stopped run
    was transmitting to, sent again: they may get it twice)."""
    report: object
    report_path: Path | None
    link_check: str
    where: str
    next_steps: list[NextStep] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        """What the person sending must know: the families a stopped run was transmitting to,
        which this run sent again (they may get it twice), named with their language."""
        return [self.report.in_flight_warning] if self.report.in_flight_warning else []

    @property
    def not_reached(self) -> int:
        """Families of the segment not reached: as the send log stands at the end (every run's
        rows), else this run's results."""
        if self.report.segment_total:
            return sum(self.report.not_reached.values())
        return sum(self.report.results[s] for s in NOT_REACHED)


def next_steps(job: SendJob, not_reached) -> list[NextStep]:
    """What reaches each status of `not_reached` (status -> families)."""
    from common.yaml_source import display_path

    same = f"python compose.py send {display_path(job.issue.path)} --to {job.segment.name} --backend {job.backend_name}"
    if job.request.reports_dir != Path("reports"):
        same += f" --reports {job.request.reports_dir}"
    say = {
        "failed": (same, "not delivered for now (a temporary refusal, a stopped run): the same command retries them"),
        "pending": (same, "not tried yet, or left by a run that stopped: the same command sends them"),
        "rejected": (f"{same} --retry-failed", "refused for good by the server; after fixing what the reason "
                     "names (e.g. a relay or sender-domain setting), this sends to them again"),
        "invalid": (f"{same} --retry-failed", "an address or message that could not be sent; correct the "
                    "address (import the roster again), or use a backend that can carry it, then this"),
        "in_doubt": (f"{same} --resend-in-doubt", "handed over when a run stopped and never confirmed: some of "
                     "them may have it already and would get it twice (the provider's events settle them "
                     "over time: check report --failures first)"),
    }
    return [NextStep(status, count, *say[status]) for status, count in sorted(not_reached.items())
            if count and status in say]


def prepare(settings: Settings, request: SendRequest) -> SendJob:
    """Read the issue and the segment, set up the links and the backend; ConfigError/NewsletterError
    for anything wrong, before a family is looked at."""
    from blocks.loader import load_issue
    from mailer.audiences.audiences_file import load_audiences
    from mailer.backends import get_backend
    from mailer.publish.naming import web_base
    from mailer.send.links import LinkSigner

    from blocks.scaffold_publication import refuse_template_values

    issue = load_issue(request.issue_dir, library_dir=settings.library)
    refuse_template_values(issue, outcome="nothing was sent")       # before a family is looked at or a server
    # the segment's families who follow this issue's publication
    segment = load_audiences(request.audiences or settings.audiences).segment(request.segment).of(
        issue.publication.slug, issue.publication.default_subscribe)
    outbox = request.backend == "outbox"
    signer = LinkSigner.for_send(settings, demo=outbox)
    backend = get_backend("outbox", directory=request.outbox_dir, issue=issue.key) if outbox \
        else get_backend(request.backend, settings)
    notes = ["NEWSLETTER_SECRET is not set; links are signed with a demo secret (outbox only)."] \
        if outbox and signer.secret.startswith("demo") else []
    web_url = f"{web_base(issue.publication, signer.base_url)}/{issue.slug}"
    return SendJob(request, issue, segment, backend, signer, web_url, settings.unsubscribe_mailto, notes,
                   10 if settings.send_refusals is None else settings.send_refusals,
                   50 if settings.send_refusal_window is None else settings.send_refusal_window,
                   90 if settings.send_refusal_rate is None else settings.send_refusal_rate)


def plan(settings: Settings, job: SendJob) -> SendPlan:
    """The dry run: families per language and school, what is skipped and why, the editions by
    home language, the proofs sent so far. Claims nothing, sends nothing."""
    with job.open_store(settings) as store:
        sender = job.sender(store)
        report = sender.run(job.segment.rule, dry_run=True)
        return _plan_of(job, sender, report, _editions(job, store), _local_translations(job, report))


def test_send(settings: Settings, job: SendJob, addresses: list[str]):
    """A proof of every language the send would use to each of `addresses`, marked [TEST]; no
    family gets anything. (proofs, warning or None: a link that a real send would stop at)."""
    from mailer.backends.outbox import OutboxBackend
    from mailer.send.proofs import note_proofs, send_proofs

    if not addresses:
        raise NewsletterError("no address to send the proofs to", "give at least one: --test-to you@district.org")
    with job.open_store(settings) as store:
        sender = job.sender(store)
        the_plan = sender.run(job.segment.rule, dry_run=True)
        langs = _edition_langs(job, the_plan)
        warning = web_editions.before_proofs(job, sender, langs)
        backend = OutboxBackend(job.outbox_dir / "proofs", job.issue.key) if job.backend_name == "outbox" \
            else job.backend
        proofs = send_proofs(sender, backend, langs, list(addresses))
    note_proofs(job.reports, proofs, job.backend_name)
    return proofs, warning


def send(settings: Settings, job: SendJob, *, on_progress: Callable[[int], None] | None = None,
         cancel: Callable[[], bool] | None = None, confirm: Callable[[SendPlan], None] | None = None,
         fingerprint: str | None = None, clock: Callable | None = None,
         sleep: Callable[[float], None] | None = None) -> SendOutcome:
    """Send to every family of the segment not yet sent to, each in their language, once.

    `confirm(plan)` is called with the plan before anything is published or sent (a face asks
    there, and raises to stop); `on_progress(n)` as results come in; `cancel()` is asked between
    batches: when it says True, no new batch is claimed, what was handed over is recorded, and the
    report says the run was cancelled (a rerun sends the rest).

    When the publication requires approval (`approval:` in publication.yaml), content that is not
    the approved content is refused (workflows.approval.NotApproved); `fingerprint`, when given (the
    content someone confirmed, e.g. a scheduled send's), must still be the content's. Progress is
    written to the store as results come in (workflows.progress), for any face to show.

    A family refused for now (SMTP 451 greylisting, 421, 452) goes back to the queue and the
    others go on; at the end the run waits for it (`sleep(seconds)`, time on `clock()`, an aware
    UTC datetime: tests pass fake ones), within the backend's retry schedule."""
    from workflows import approval

    with job.open_store(settings) as store:
        if fingerprint is not None and fingerprint != approval.fingerprint(job.request.issue_dir, settings.library):
            raise approval.NotApproved("the issue changed after this send was confirmed",
                                       "look at it again, approve it if needed, and confirm the send again",
                                       outcome="nothing was sent")
        if getattr(job.issue.publication, "approval", approval.NONE) != approval.NONE:
            approval.require_approval(store, job.request.issue_dir, settings.library)
        dry = job.sender(store)
        report = dry.run(job.segment.rule, dry_run=True)
        if job.backend_name != "outbox" and not job.request.allow_local_translations:
            _refuse_local_translations(job, _local_translations(job, report))
        if confirm is not None:
            confirm(_plan_of(job, dry, report))
        # a new sender (its own report and Date), with the editions the plan rendered
        running: dict = {}

        def progressed(n: int) -> None:
            if on_progress is not None:
                on_progress(n)
            if "recorder" in running:
                running["recorder"].update(running["sender"].report)

        sender = running["sender"] = job.sender(store, rendered=dry.rendered, on_progress=progressed, cancel=cancel,
                                                clock=clock, sleep=sleep)
        delivering = {lang for lang, count in report.planned.items() if count}
        if delivering:                    # published and checked before any family gets a message
            sender.report.link_check = web_editions.before_sending(job, sender, delivering,
                                                                   job.request.skip_link_check)
        path, finished = None, "stopped"
        if delivering:
            running["recorder"] = _progress_recorder(store, job, sender, report.planned)
        try:
            result = sender.run(job.segment.rule)
            finished = "stopped" if sender.report.stopped else "done"
        finally:
            if sender.report.results or sender.report.stopped:
                path = _save(job, sender)
            if "recorder" in running:
                running["recorder"].finish(sender.report, finished, "; ".join(
                    text for text in (sender.report.stopped, sender.report.in_flight_warning) if text))
    return SendOutcome(result, path, sender.report.link_check, web_editions.where_line(job),
                       next_steps(job, result.not_reached))


def _progress_recorder(store, job: SendJob, sender, planned):
    from workflows.progress import Recorder
    return Recorder.start(store, job.issue.key, job.segment.name, job.backend_name, sender.owner, planned)


def _save(job: SendJob, sender) -> Path:
    return sender.report.save(job.reports, run=sender.owner, issue=job.issue.key, segment=job.segment.name,
                              backend=job.backend_name)


def _plan_of(job: SendJob, dry, report, editions: list | None = None,
             local_translations: dict | None = None) -> SendPlan:
    """The plan a dry run (`dry`, its `report`) makes, as the confirmation shows it."""
    from mailer.send.proofs import proofs_sent
    pub = job.issue.publication
    subjects = {lang: dry.template(lang).email.subject for lang, count in sorted(report.planned.items()) if count}
    return SendPlan(job.issue.key, job.segment.name, job.backend_name, (pub.sender.name, pub.sender.email), subjects,
                    report, editions or [], proofs_sent(job.reports), local_translations or {}, list(job.notes))


def _edition_langs(job: SendJob, report) -> list[str]:
    """The languages this send would use (all of the issue's if nobody is left to send to)."""
    issue = job.issue
    return sorted(report.planned) or [lang for lang in issue.languages
                                      if issue.fallback != "hold" or lang == issue.source_lang]


def _local_translations(job: SendJob, report) -> dict[str, list[str]]:
    """Languages to send whose machine translations a server on this computer made."""
    from blocks.i18n.status import language_status, local_providers

    issue = job.issue
    found = {lang: local_providers(language_status(issue, lang))
             for lang, count in sorted(report.planned.items()) if count and lang != issue.source_lang}
    return {lang: sorted(made) for lang, made in found.items() if made}


def _refuse_local_translations(job: SendJob, found: dict[str, list[str]]) -> None:
    """A real send never carries machine translations made by a server on this computer (the test
    stubs make pseudo-translations: "[VI] Welcome back!" is no language a family reads)."""
    if found:
        raise NewsletterError(
            f"the machine translations in {', '.join(found)} were made by "
            f"{', '.join(sorted({p for made in found.values() for p in made}))}, a server on this computer (the "
            "test stubs answer with pseudo-translations): families would get text they cannot read",
            "translate them with the real service (python compose.py translations machine ... without "
            "DEEPL_SERVER_URL or GOOGLE_TRANSLATE_ENDPOINT), or hold them (machine: hold in publication.yaml); "
            "the outbox backend and --test-to send them for trying; --allow-local-translations sends anyway",
            outcome="nothing was sent")


def _editions(job: SendJob, store) -> list[Edition]:
    """Per home language: how many families get a human edition, a machine edition, a partial
    one, the English fallback, or nothing yet, and why (all subscribed families of the segment)."""
    from babel import Locale

    from mailer.send.routing import Router

    router, families = Router(job.issue), Counter()
    for batch in store.recipient_batches(job.segment.rule):
        families.update(recipient.language for recipient in batch)
    rows = []
    for language, count in sorted(families.items(), key=lambda item: (-item[1], item[0])):
        route = router.route(language)
        rows.append(Edition(language, f"{Locale.parse(language).get_display_name('en')} ({language})", count,
                            route.kind, route.edition, route.reason))
    return rows
