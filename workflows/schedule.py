"""Scheduled sends and the worker that starts them: a send is confirmed now (by the studio, or a
script) for a time (now: as soon as a worker looks), kept in the store, and started by
`python compose.py worker`, never inside a web request.

    schedule(store, ScheduleRequest(...), now) -> Scheduled      (refused inside quiet hours unless forced)
    cancel(store, id, now), reschedule(store, id, run_at, now)    (until it starts)
    listed(store, publication, issue) -> [Scheduled]
    run_due(settings, clock=..., outbox_dir=..., reports_dir=...) -> [Scheduled]   (one pass of the worker)
    serve(settings, stop=threading.Event(), poll=30, ...)          (the worker's loop)

Several workers may run (one machine or several, one store): each due send is claimed by one of
them (owner and lease, as the send log's claims); a worker that dies leaves its send "running"
with its lease, taken over at once on the same machine (its process is gone) or when the lease
runs out elsewhere, and the send log makes the rerun reach only the families not yet reached.
A send that came due while no worker ran starts when one comes back, and says how late.

Quiet hours (`quiet_hours:` in publication.yaml, default 21:00-07:00 in the publication's
timezone, `none` for never): no send is scheduled inside them, and a send due inside them waits
for their end, unless forced.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import and_, insert, or_, select, update

from common.errors import NewsletterError
from common.settings import Settings
from mailer.store.tables import scheduled_sends, utcnow

SCHEDULED, RUNNING, DONE, STOPPED, CANCELLED = "scheduled", "running", "done", "stopped", "cancelled"
LEASE = dt.timedelta(minutes=10)
LATE = dt.timedelta(minutes=2)           # starting later than this is said
DEFAULT_QUIET = "21:00-07:00"


@dataclass(frozen=True)
class ScheduleRequest:
    """A confirmed send: what, to whom, when, as confirmed (families, fingerprint) and by whom."""
    issue_dir: Path
    segment: str
    backend: str
    families: int
    fingerprint: str
    run_at: dt.datetime
    who: str
    force: bool = False                     # inside quiet hours on purpose
    retry_failed: bool = False
    resend_in_doubt: bool = False


@dataclass(frozen=True)
class Scheduled:
    id: int
    publication: str
    issue: str
    issue_dir: str
    segment: str
    backend: str
    families: int
    fingerprint: str
    run_at: dt.datetime
    forced: bool
    retry_failed: bool
    resend_in_doubt: bool
    state: str
    created_by: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    owner: str
    lease_until: dt.datetime | None
    late_seconds: int | None
    detail: str

    @property
    def key(self) -> str:
        return f"{self.publication}/{self.issue}"

    @property
    def changeable(self) -> bool:
        return self.state == SCHEDULED

    def late_text(self) -> str:
        return f"started {duration_text(self.late_seconds)} late" if self.late_seconds else ""


def duration_text(seconds: int | float) -> str:
    minutes = int(seconds) // 60
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [f"{days} d"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{minutes} min"] * bool(minutes)
    return " ".join(parts) or f"{int(seconds)} s"


def _row(row) -> Scheduled:
    return Scheduled(**{name: getattr(row, name) for name in Scheduled.__dataclass_fields__})


def _publication(issue_dir: Path):
    from blocks.loader import load_publication
    return load_publication(Path(issue_dir).parent / "publication.yaml")


def zone(publication) -> ZoneInfo:
    return ZoneInfo(getattr(publication, "timezone", None) or "America/New_York")


def quiet_span(publication) -> tuple[dt.time, dt.time] | None:
    text = getattr(publication, "quiet_hours", None) or DEFAULT_QUIET
    if text == "none":
        return None
    start, end = (dt.time.fromisoformat(part) for part in text.split("-"))
    return start, end


def in_quiet_hours(publication, when: dt.datetime) -> bool:
    span = quiet_span(publication)
    if span is None:
        return False
    start, end = span
    local = when.astimezone(zone(publication)).time()
    return (local >= start or local < end) if start > end else start <= local < end


def quiet_end(publication, when: dt.datetime) -> dt.datetime:
    """When the quiet hours around `when` end (in UTC)."""
    _start, end = quiet_span(publication)
    local = when.astimezone(zone(publication))
    candidate = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if candidate <= local:
        candidate += dt.timedelta(days=1)
    return candidate.astimezone(dt.timezone.utc)


def local_time_text(publication, when: dt.datetime) -> str:
    local = when.astimezone(zone(publication))
    return f"{local:%A %Y-%m-%d %H:%M} ({local.tzname()})"


def _refuse_quiet(publication, run_at: dt.datetime, force: bool) -> None:
    if not force and in_quiet_hours(publication, run_at):
        raise NewsletterError(f"{local_time_text(publication, run_at)} is inside the quiet hours "
                              f"({getattr(publication, 'quiet_hours', DEFAULT_QUIET)}): families are not emailed then",
                              f"choose a time from {local_time_text(publication, quiet_end(publication, run_at))}, "
                              "or force it", outcome="nothing was scheduled")


def schedule(store, request: ScheduleRequest, now: dt.datetime) -> Scheduled:
    from blocks.content_tree import default_slug

    publication = _publication(request.issue_dir)
    run_at = max(request.run_at, now)
    _refuse_quiet(publication, run_at, request.force)
    if request.run_at < now - dt.timedelta(minutes=1):
        raise NewsletterError(f"{local_time_text(publication, request.run_at)} has passed",
                              "choose a time to come, or send now", outcome="nothing was scheduled")
    slug = publication.slug or default_slug(Path(request.issue_dir).parent, publication.name)
    with store.write() as connection:
        new_id = connection.execute(insert(scheduled_sends).values(
            publication=slug, issue=Path(request.issue_dir).name, issue_dir=str(request.issue_dir),
            segment=request.segment, backend=request.backend, families=request.families,
            fingerprint=request.fingerprint, run_at=run_at, forced=request.force,
            retry_failed=request.retry_failed, resend_in_doubt=request.resend_in_doubt, state=SCHEDULED,
            created_by=request.who, created_at=now, owner="", detail="")).inserted_primary_key[0]
    return get(store, new_id)


def get(store, send_id: int) -> Scheduled | None:
    with store.read() as connection:
        row = connection.execute(select(scheduled_sends).where(scheduled_sends.c.id == send_id)).first()
    return _row(row) if row else None


def listed(store, publication: str, issue: str) -> list[Scheduled]:
    with store.read() as connection:
        rows = connection.execute(select(scheduled_sends).where(
            scheduled_sends.c.publication == publication, scheduled_sends.c.issue == issue)
            .order_by(scheduled_sends.c.id.desc())).all()
    return [_row(row) for row in rows]


def _change(store, send_id: int, now: dt.datetime, **values) -> Scheduled:
    with store.write() as connection:
        changed = connection.execute(update(scheduled_sends).where(
            scheduled_sends.c.id == send_id, scheduled_sends.c.state == SCHEDULED).values(**values)).rowcount
    found = get(store, send_id)
    if not changed:
        raise NewsletterError(f"send {send_id} is {found.state if found else 'not there'}: it can no longer be changed",
                              "a send can be cancelled or moved only until it starts", outcome="nothing was changed")
    return found


def cancel(store, send_id: int, who: str, now: dt.datetime) -> Scheduled:
    return _change(store, send_id, now, state=CANCELLED, finished_at=now, detail=f"cancelled by {who}")


def reschedule(store, send_id: int, run_at: dt.datetime, now: dt.datetime, *, force: bool = False) -> Scheduled:
    found = get(store, send_id)
    if found is None:
        raise NewsletterError(f"no send {send_id}", outcome="nothing was changed")
    publication = _publication(Path(found.issue_dir))
    _refuse_quiet(publication, max(run_at, now), force)
    return _change(store, send_id, now, run_at=max(run_at, now), forced=force)


# -- the worker ---------------------------------------------------------------------------------

def _takeable(item, now: dt.datetime) -> bool:
    from mailer.send.sendlog import owner_is_gone
    if item.state == SCHEDULED:
        return True
    return item.lease_until is None or item.lease_until < now or owner_is_gone(item.owner)


def claim_due(store, owner: str, now: dt.datetime) -> Scheduled | None:
    """One due send, claimed for `owner` (None if none is due, or all are taken or in quiet hours)."""
    c = scheduled_sends.c
    with store.read() as connection:
        rows = connection.execute(select(scheduled_sends).where(or_(
            and_(c.state == SCHEDULED, c.run_at <= now), c.state == RUNNING)).order_by(c.run_at, c.id)).all()
    for item in map(_row, rows):
        if not _takeable(item, now):
            continue
        if not item.forced and item.state == SCHEDULED:
            try:
                quiet = in_quiet_hours(_publication(Path(item.issue_dir)), now)
            except NewsletterError:
                quiet = False                   # the send itself will say what is wrong
            if quiet:
                continue
        late = int((now - item.run_at).total_seconds()) if item.state == SCHEDULED else item.late_seconds
        with store.write() as connection:
            taken = connection.execute(update(scheduled_sends).where(
                c.id == item.id, c.state == item.state, c.owner == item.owner).values(
                state=RUNNING, owner=owner, lease_until=now + LEASE, started_at=item.started_at or now,
                late_seconds=late if late and late > LATE.total_seconds() else None)).rowcount
        if taken:
            return get(store, item.id)
    return None


def _finish(store, item: Scheduled, owner: str, state: str, detail: str, now: dt.datetime) -> None:
    with store.write() as connection:
        connection.execute(update(scheduled_sends).where(scheduled_sends.c.id == item.id,
                                                         scheduled_sends.c.owner == owner).values(
            state=state, finished_at=now, lease_until=None, detail=detail[:4000]))


def run_one(settings: Settings, store, item: Scheduled, owner: str, *, clock: Callable[[], dt.datetime] = utcnow,
            outbox_dir: Path = Path("outbox"), reports_dir: Path = Path("reports")) -> Scheduled:
    """Run a claimed send with workflows.sending.send (its lease renewed as results come in)."""
    from mailer.send.run_report import families_text
    from workflows import sending

    last = {"at": clock()}

    def renew(_n: int) -> None:
        now = clock()
        if now - last["at"] > LEASE / 4:
            last["at"] = now
            with store.write() as connection:
                connection.execute(update(scheduled_sends).where(scheduled_sends.c.id == item.id,
                                                                 scheduled_sends.c.owner == owner)
                                   .values(lease_until=now + LEASE))

    late = f"{item.late_text()} (due {item.run_at:%Y-%m-%d %H:%M} UTC, no worker was running then): " \
        if item.late_seconds else ""
    try:
        request = sending.SendRequest(Path(item.issue_dir), item.segment, item.backend, outbox_dir, reports_dir,
                                      settings.audiences, retry_failed=item.retry_failed,
                                      resend_in_doubt=item.resend_in_doubt)
        job = sending.prepare(settings, request)
        outcome = sending.send(settings, job, on_progress=renew, fingerprint=item.fingerprint)
    except NewsletterError as error:
        _finish(store, item, owner, STOPPED, late + "; ".join(str(p) for p in error.problems)
                + (f" ({error.outcome})" if error.outcome else ""), clock())
        return get(store, item.id)
    report = outcome.report
    words = f"{late}sent to {families_text(report.delivered)}"
    if outcome.not_reached:
        words += f"; {families_text(outcome.not_reached)} not reached (see the report's failures)"
    if report.stopped:
        words += f"; stopped: {report.stopped}"
    for warning in outcome.warnings:
        words += f"; {warning}"
    _finish(store, item, owner, STOPPED if report.stopped else DONE, words, clock())
    return get(store, item.id)


def run_due(settings: Settings, *, store=None, owner: str | None = None,
            clock: Callable[[], dt.datetime] = utcnow, outbox_dir: Path = Path("outbox"),
            reports_dir: Path = Path("reports")) -> list[Scheduled]:
    """One pass of the worker: start every due send (one after another); returns them as finished."""
    from mailer.send.sendlog import new_owner
    from mailer.store.subscribers import Store

    owner = owner or new_owner()
    done = []
    opened = store is None
    store = store or Store.of(settings)
    try:
        while (item := claim_due(store, owner, clock())) is not None:
            done.append(run_one(settings, store, item, owner, clock=clock, outbox_dir=outbox_dir,
                                reports_dir=reports_dir))
    finally:
        if opened:
            store.close()
    return done


def serve(settings: Settings, *, stop: threading.Event, poll: float = 30.0,
          clock: Callable[[], dt.datetime] = utcnow, outbox_dir: Path = Path("outbox"),
          reports_dir: Path = Path("reports"), on_done: Callable[[Scheduled], None] | None = None) -> None:
    """The worker: a pass every `poll` seconds until `stop` is set (SIGTERM in `compose.py worker`)."""
    from mailer.send.sendlog import new_owner
    from mailer.store.subscribers import Store

    owner = new_owner()
    with Store.of(settings) as store:
        while not stop.is_set():
            for item in run_due(settings, store=store, owner=owner, clock=clock, outbox_dir=outbox_dir,
                                reports_dir=reports_dir):
                if on_done is not None:
                    on_done(item)
            stop.wait(poll)
