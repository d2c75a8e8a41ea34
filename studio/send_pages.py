"""Approve, test, schedule and send an issue from the studio, follow its progress, see who got it.

No sending happens here: the pages call the core (workflows/sending.py for the plan and the
proofs, workflows/approval.py, workflows/schedule.py, workflows/progress.py, workflows/reach_grid.py);
a confirmed send is put in the store for `python compose.py worker`, which runs it, never a web
request. The proofs ("test send", a handful of addresses) are sent while the page waits.

Who may do what (studio/security.py's ROLE): an editor marks an issue ready; a sender approves,
sends proofs, schedules, cancels, moves and retries, and reads the report (it lists addresses);
editors, senders and translators of the publication follow a send's progress.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import (Blueprint, Response, abort, current_app, g, redirect, render_template, request,
                   stream_with_context, url_for)

from blocks.content_tree import issue_folders
from common.errors import NewsletterError
from common.settings import Settings
from studio import audit, security
from workflows import approval, progress, reach_grid, schedule, sending

blueprint = Blueprint("sending", __name__)
SENDER, EDITOR = "sender", "editor"
ANY_ROLE = ("editor", "sender", "translator")
security.ROLE.update({
    "sending.page": (EDITOR, SENDER), "sending.ready": EDITOR, "sending.approve": SENDER,
    "sending.test_send": SENDER, "sending.confirm": SENDER, "sending.cancel": SENDER, "sending.move": SENDER,
    "sending.retry": SENDER, "sending.progress_page": ANY_ROLE, "sending.progress_events": ANY_ROLE,
    "sending.report": SENDER, "sending.report_live": SENDER, "sending.failures_csv": SENDER,
})


@dataclass
class SendDesk:
    """What the send pages need besides the studio: the install's settings (the store, the
    library, audiences.yaml, links), the backend sends go through, where outbox messages and
    reports are, how often the progress stream and the open report pages look at the store."""
    core: Settings
    backend: str = "outbox"
    outbox_dir: Path = Path("outbox")
    reports_dir: Path = Path("reports")
    poll_seconds: float = 1.0
    stream_minutes: float = 10.0             # a progress stream ends after this; the browser reconnects
    report_seconds: int = 10                 # an open report page asks for new delivery events this often
    segments: tuple[str, ...] = field(default=())


def _studio():
    return current_app.config["studio"]


def _desk() -> SendDesk:
    return current_app.config["send_desk"]


def _issue_dir(publication: str, issue: str) -> Path:
    folder = _studio().folder(publication)
    if issue not in {f.name for f in issue_folders(folder)}:
        abort(404)
    return folder / issue


def _audit(action: str, publication: str, issue_dir: Path, detail: str) -> None:
    from studio.workspace import shown_path
    studio = _studio()
    audit.record(studio.store, studio.clock(), g.staff.email, action, publication=publication,
                 path=shown_path(issue_dir / "issue.yaml"), detail=detail)


def _segments() -> list[str]:
    from mailer.audiences.audiences_file import load_audiences
    desk = _desk()
    return list(desk.segments) or list(load_audiences(desk.core.audiences).segments)


def _job(issue_dir: Path, segment: str, **options) -> sending.SendJob:
    desk = _desk()
    return sending.prepare(desk.core, sending.SendRequest(issue_dir, segment, desk.backend, desk.outbox_dir,
                                                          desk.reports_dir, desk.core.audiences, **options))


def _typed_number(text: str) -> int | None:
    digits = re.sub(r"[\s,.]", "", text or "")
    return int(digits) if digits.isdigit() else None


def _when(publication_record, text: str) -> dt.datetime:
    """A datetime-local value (the publication's timezone) as UTC; NewsletterError if it is none."""
    try:
        naive = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise NewsletterError(f"'{text}' is not a date and time", "pick a date and a time, or send now",
                              outcome="nothing was scheduled") from None
    return naive.replace(tzinfo=schedule.zone(publication_record)).astimezone(dt.timezone.utc)


def _page(publication: str, issue: str, *, status: int = 200, message: str = "", error: str = "",
          proofs=None, segment: str | None = None):
    studio, desk = _studio(), _desk()
    issue_dir = _issue_dir(publication, issue)
    record = studio.publications[publication][1]
    state = approval.state(studio.store, issue_dir, desk.core.library)
    segments = _segments()
    segment = segment or request.values.get("segment") or ("all-families" if "all-families" in segments
                                                           else segments[0] if segments else "")
    plan, plan_error = None, ""
    if segment:
        try:
            plan = sending.plan(desk.core, _job(issue_dir, segment))
        except NewsletterError as e:
            plan_error = "; ".join(str(p) for p in e.problems)
    scheduled = schedule.listed(studio.store, publication, issue)
    now = studio.clock()
    return render_template("send_page.html", publication=publication, issue=issue, record=record, state=state,
                           segments=segments, segment=segment, plan=plan, plan_error=plan_error, message=message,
                           error=error, proofs=proofs, scheduled=scheduled, desk=desk,
                           may_send=g.staff.may(publication, SENDER), may_edit=g.staff.may(publication, EDITOR),
                           local=lambda when: schedule.local_time_text(record, when), school_name=_school_name(),
                           in_quiet=schedule.in_quiet_hours(record, now),
                           default_when=(now + dt.timedelta(days=1)).astimezone(schedule.zone(record))
                           .replace(hour=7, minute=0).strftime("%Y-%m-%dT%H:%M")), status


@blueprint.get("/<publication>/<issue>/send")
def page(publication: str, issue: str):
    return _page(publication, issue)


@blueprint.post("/<publication>/<issue>/ready")
def ready(publication: str, issue: str):
    studio, issue_dir = _studio(), _issue_dir(publication, issue)
    try:
        approval.mark_ready(studio.store, issue_dir, g.staff.email, studio.clock(), _desk().core.library)
    except NewsletterError as e:
        return _page(publication, issue, status=400, error="; ".join(str(p) for p in e.problems))
    _audit("ready", publication, issue_dir, approval.fingerprint(issue_dir, _desk().core.library))
    return redirect(url_for("sending.page", publication=publication, issue=issue, done="ready"))


@blueprint.post("/<publication>/<issue>/approve")
def approve(publication: str, issue: str):
    studio, issue_dir = _studio(), _issue_dir(publication, issue)
    try:
        found = approval.approve(studio.store, issue_dir, g.staff.email, studio.clock(), _desk().core.library,
                                 seen=request.form.get("fingerprint", ""))
    except NewsletterError as e:
        return _page(publication, issue, status=409, error="; ".join(str(p) for p in e.problems))
    _audit("approve", publication, issue_dir, found.current)
    return redirect(url_for("sending.page", publication=publication, issue=issue, done="approved"))


@blueprint.post("/<publication>/<issue>/test-send")
def test_send(publication: str, issue: str):
    from common.email_check import BadEmail, check_email

    def is_email(text: str) -> bool:
        try:
            check_email(text)
        except BadEmail:
            return False
        return True

    issue_dir = _issue_dir(publication, issue)
    extra = [a for a in re.split(r"[\s,;]+", request.form.get("addresses", "")) if a]
    wrong = [a for a in extra if not is_email(a)]
    segment = request.form.get("segment", "")
    if wrong or len(extra) > 10:
        return _page(publication, issue, status=400, segment=segment,
                     error=f"Not an email address: {', '.join(wrong)}" if wrong else "At most 10 extra addresses.")
    addresses = [g.staff.email] + [a for a in extra if a.lower() != g.staff.email.lower()]
    try:
        job = _job(issue_dir, segment if segment in _segments() else "all-families")
        proofs, warning = sending.test_send(_desk().core, job, addresses)
    except NewsletterError as e:
        return _page(publication, issue, status=400, segment=segment, error="; ".join(str(p) for p in e.problems))
    _audit("test-send", publication, issue_dir, ", ".join(addresses))
    return _page(publication, issue, segment=segment, proofs=proofs, message=warning or "")


@blueprint.post("/<publication>/<issue>/confirm")
def confirm(publication: str, issue: str):
    """The confirmed send: refused unless the segment, the number typed, the number shown and the
    content fingerprint are what the store and the files say now; then kept for the worker."""
    studio, desk = _studio(), _desk()
    issue_dir = _issue_dir(publication, issue)
    form = request.form
    segment = form.get("segment", "")
    if segment not in _segments():
        return _page(publication, issue, status=400, error=f"There is no segment '{segment}'.")
    try:
        the_plan = sending.plan(desk.core, _job(issue_dir, segment))
        state = approval.state(studio.store, issue_dir, desk.core.library)
        if form.get("fingerprint") != state.current:
            raise NewsletterError("The issue changed since this page was opened: look at the plan again.")
        if not state.may_send:
            raise NewsletterError(f"Not approved: {state.words()}.")
        shown, typed = _typed_number(form.get("families", "")), _typed_number(form.get("typed", ""))
        if shown != the_plan.total:
            raise NewsletterError(f"The plan changed: {the_plan.total} families now, not {shown}. Look at it again.")
        if typed != the_plan.total:
            raise NewsletterError(f"Type {the_plan.total} (the number of families) to confirm.")
        if the_plan.total == 0:
            raise NewsletterError("Nobody to send to: every family of this segment has the issue already.")
        record = studio.publications[publication][1]
        now = studio.clock()
        run_at = now if form.get("when") != "later" else _when(record, form.get("at", ""))
        item = schedule.schedule(studio.store, schedule.ScheduleRequest(
            issue_dir, segment, desk.backend, the_plan.total, state.current, run_at, g.staff.email,
            force=form.get("force") == "yes"), now)
    except NewsletterError as e:
        return _page(publication, issue, status=409, segment=segment, error="; ".join(str(p) for p in e.problems))
    _audit("schedule-send", publication, issue_dir, f"send {item.id}: {item.families} families of {segment} at "
                                                    f"{item.run_at.isoformat()}{' (forced)' if item.forced else ''}")
    if form.get("when") != "later":
        return redirect(url_for("sending.progress_page", publication=publication, issue=issue))
    return redirect(url_for("sending.page", publication=publication, issue=issue, segment=segment, done="scheduled"))


def _scheduled_item(publication: str, issue: str, send_id: int):
    found = schedule.get(_studio().store, send_id)
    if found is None or found.publication != publication or found.issue != issue:
        abort(404)
    return found


@blueprint.post("/<publication>/<issue>/scheduled/<int:send_id>/cancel")
def cancel(publication: str, issue: str, send_id: int):
    studio = _studio()
    _scheduled_item(publication, issue, send_id)
    try:
        schedule.cancel(studio.store, send_id, g.staff.email, studio.clock())
    except NewsletterError as e:
        return _page(publication, issue, status=409, error="; ".join(str(p) for p in e.problems))
    _audit("cancel-send", publication, _issue_dir(publication, issue), f"send {send_id}")
    return redirect(url_for("sending.page", publication=publication, issue=issue, done="cancelled"))


@blueprint.post("/<publication>/<issue>/scheduled/<int:send_id>/move")
def move(publication: str, issue: str, send_id: int):
    studio = _studio()
    _scheduled_item(publication, issue, send_id)
    record = studio.publications[publication][1]
    try:
        moved = schedule.reschedule(studio.store, send_id, _when(record, request.form.get("at", "")), studio.clock(),
                                    force=request.form.get("force") == "yes")
    except NewsletterError as e:
        return _page(publication, issue, status=409, error="; ".join(str(p) for p in e.problems))
    _audit("move-send", publication, _issue_dir(publication, issue), f"send {send_id} to {moved.run_at.isoformat()}")
    return redirect(url_for("sending.page", publication=publication, issue=issue, done="moved"))


@blueprint.post("/<publication>/<issue>/retry")
def retry(publication: str, issue: str):
    """Send again to the families a send did not reach: failed ones (a rerun retries them), or in
    doubt ones (only with the duplicate warning acknowledged). Kept for the worker, as any send."""
    studio, desk = _studio(), _desk()
    issue_dir = _issue_dir(publication, issue)
    in_doubt = request.form.get("what") == "in_doubt"
    if in_doubt and request.form.get("duplicates") != "yes":
        return _report(publication, issue, status=400,
                       error="Tick the box saying you know some families may get a second copy.")
    segment = request.form.get("segment", "")
    if segment not in _segments():
        return _report(publication, issue, status=400, error=f"There is no segment '{segment}'.")
    try:
        state = approval.state(studio.store, issue_dir, desk.core.library)
        the_plan = sending.plan(desk.core, _job(issue_dir, segment, resend_in_doubt=in_doubt))
        now = studio.clock()
        item = schedule.schedule(studio.store, schedule.ScheduleRequest(
            issue_dir, segment, desk.backend, the_plan.total, state.current, now, g.staff.email,
            force=request.form.get("force") == "yes", resend_in_doubt=in_doubt), now)
    except NewsletterError as e:
        return _report(publication, issue, status=409, error="; ".join(str(p) for p in e.problems))
    _audit("retry-send", publication, issue_dir, f"send {item.id}: {'in doubt' if in_doubt else 'failed'}")
    return redirect(url_for("sending.progress_page", publication=publication, issue=issue))


@blueprint.get("/<publication>/<issue>/progress")
def progress_page(publication: str, issue: str):
    studio = _studio()
    _issue_dir(publication, issue)
    run = progress.latest(studio.store, f"{publication}/{issue}")
    return render_template("send_progress.html", publication=publication, issue=issue, run=run,
                           scheduled=schedule.listed(studio.store, publication, issue)[:5],
                           record=studio.publications[publication][1],
                           local=lambda when: schedule.local_time_text(studio.publications[publication][1], when))


def _waiting(store, publication: str, issue: str) -> bool:
    return any(item.state in (schedule.SCHEDULED, schedule.RUNNING) and item.run_at <= _studio().clock()
               for item in schedule.listed(store, publication, issue))


@blueprint.get("/api/<publication>/<issue>/progress")
def progress_events(publication: str, issue: str):
    """Server-sent events: the issue's latest send as JSON each time it changes, until no send of it
    is running or due (or after stream_minutes; the browser's EventSource then asks again)."""
    studio, desk = _studio(), _desk()
    _issue_dir(publication, issue)
    key, store = f"{publication}/{issue}", studio.store
    polls = max(1, int(desk.stream_minutes * 60 / max(desk.poll_seconds, 0.01)))

    def events():
        last = None
        yield "retry: 3000\n\n"
        for _ in range(polls):
            run = progress.latest(store, key)
            waiting = _waiting(store, publication, issue)
            data = json.dumps({**(run.as_dict() if run else {"state": "none"}), "waiting": waiting})
            if data != last:
                yield f"data: {data}\n\n"
                last = data
            if not waiting and (run is None or run.state != progress.RUNNING):
                yield "event: end\ndata: {}\n\n"
                return
            time.sleep(desk.poll_seconds)

    return Response(stream_with_context(events()), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def _school_name():
    """A school's name as audiences.yaml gives it, from its slug."""
    from mailer.audiences.audiences_file import load_audiences
    audiences = load_audiences(_desk().core.audiences)
    return lambda slug: audiences.school_name(slug) if slug else "(no school)"


_SINCE = "since0placeholder"


def _live_part(publication: str, issue: str) -> tuple[str, str, list[dict]]:
    """The report's part that delivery events change (reach per language x school, who was not
    reached) as HTML, a digest of it that the page sends back to ask "anything new?", and the
    families not reached."""
    studio = _studio()
    key = f"{publication}/{issue}"
    failures = reach_grid.failures_with_actions(studio.store, key)
    context = dict(publication=publication, issue=issue, grid=reach_grid.grid(studio.store, key),
                   columns=reach_grid.COLUMNS, failures=failures, school_name=_school_name())
    body = render_template("_report_live.html", **context, since=_SINCE, every=_desk().report_seconds)
    since = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    return body.replace(_SINCE, since), since, failures


def _report(publication: str, issue: str, *, status: int = 200, error: str = ""):
    studio = _studio()
    _issue_dir(publication, issue)
    segments = _segments()
    last = next((s for s in schedule.listed(studio.store, publication, issue) if s.state != schedule.CANCELLED), None)
    live, _, failures = _live_part(publication, issue)
    statuses = {f["status"] for f in failures}
    return render_template("send_report.html", publication=publication, issue=issue, live=live, error=error,
                           statuses=statuses,
                           segment=last.segment if last else ("all-families" if "all-families" in segments
                                                              else segments[0])), status


@blueprint.get("/<publication>/<issue>/report")
def report(publication: str, issue: str):
    return _report(publication, issue)


@blueprint.get("/api/<publication>/<issue>/report")
def report_live(publication: str, issue: str):
    """The open report page asks this every report_seconds with the digest of what it shows: 204
    when nothing changed, else the new part (bounces, complaints, unsubscribes as they arrive)."""
    _issue_dir(publication, issue)
    live, since, _ = _live_part(publication, issue)
    if request.args.get("since") == since:
        return "", 204
    return live


@blueprint.get("/<publication>/<issue>/failures.csv")
def failures_csv(publication: str, issue: str):
    _issue_dir(publication, issue)
    rows = reach_grid.failures_with_actions(_studio().store, f"{publication}/{issue}")
    return Response(reach_grid.failures_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{publication}-{issue}-not-reached.csv"'})


def install(app, studio, desk: SendDesk | None) -> None:
    """Register the pages; without a SendDesk, the studio's store with default settings (the outbox)."""
    app.config["send_desk"] = desk or SendDesk(Settings.from_env({}, db=studio.store.url,
                                                                 library=studio.settings.library))
    app.register_blueprint(blueprint)
