"""Families, for staff: find a family by address or name, see what it gets and its history,
unsubscribe it (from one publication or everything) or opt it in again on its request (a phone
call) with the source recorded; upload a roster, read the import's report as a dry run, then
apply it with a second, confirmed POST.

Only senders (of any publication) and admins open these pages: they list addresses of every
publication. Nothing here touches the store itself: the pages call workflows/family_records.py
(and the import report's lines are mailer/reports/text.py's, as the command line prints them).
Every change is in the audit log (studio/audit.py).

Between the dry run and the apply, the uploaded file waits in a folder of the server
(app.config["family_uploads"], default: one in the system's temporary folder), named by a random token that only this session holds,
with the file's SHA-256: the apply refuses a token of another session, a file gone or changed.
"""
from __future__ import annotations

import hashlib
import re
import secrets
import tempfile
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict

from common.errors import NewsletterError
from studio import audit
from workflows import family_records

blueprint = Blueprint("families", __name__, url_prefix="/families")
ROSTER_SUFFIXES = (".csv", ".txt", ".xlsx")
ROSTER_LIMIT = 2 * 1024 * 1024        # the studio's form limit (studio/app.py FORM_LIMIT): larger files answer 413
MAX_LISTED = 100                      # merged families listed by name on the page (the report counts them all)
KEEP_SECONDS = 3600                   # an uploaded roster not applied within an hour is deleted


def _core():
    return current_app.config["send_desk"].core


def _uploads() -> Path:
    """Where uploaded rosters wait between the dry run and the apply: app.config["family_uploads"] if
    set (tests), else a folder of the system's temporary one."""
    return Path(current_app.config.get("family_uploads") or Path(tempfile.gettempdir()) / "newsletter-studio-rosters")


def may_see_families(staff) -> bool:
    """A sender of any publication, or an admin."""
    return staff is not None and (staff.admin or any("sender" in roles for roles in staff.roles.values()))


@blueprint.before_request
def senders_only():
    if not may_see_families(g.get("staff")):      # studio/security.py signed the person in (or sent them away)
        abort(403)


# The roster reader's hints name the CLI's options; on the upload page they are the form's fields.
_CHOICES = '"The file\'s sheet and columns"'
_FORM_WORDS = ((re.compile(r'(?:add |choose one with )?--sheet NAME'), f"type its name in Worksheet under {_CHOICES}"),
               (re.compile(r'(?:name the right one with|add) --map "(\w+)=<[^>]*>"'),
                lambda m: f'type its column\'s name in "{m[1].title()} column" under {_CHOICES}'),
               (re.compile(r'--map (\w+):'), lambda m: f"{m[1].title()} column:"))


def _problems(error: NewsletterError, kept: Path | None = None, name: str = "") -> str:
    return _as_uploaded("; ".join(str(p) for p in error.problems), kept, name)


def _as_uploaded(text: str, kept: Path | None, name: str) -> str:
    """A message about the kept upload in the words of the upload page: its own file name, the
    form's fields for the CLI's --sheet and --map."""
    if kept is not None:
        from common.yaml_source import display_path
        text = text.replace(display_path(kept), name).replace(str(kept), name).replace(kept.name, name)
    for pattern, words in _FORM_WORDS:
        text = pattern.sub(words, text)
    return text


def _uploaded_report(done, kept: Path, name: str, *, dry_run: bool, skip_invalid: bool) -> dict:
    """The import's report and its sections, in the upload page's words."""
    lines = [_as_uploaded(line, kept, name) for line in _report_lines(done, dry_run=dry_run, skip_invalid=skip_invalid)]
    sections = _sections(done)
    for key in ("merged", "rejected"):
        sections[key] = [_as_uploaded(text, kept, name) for text in sections[key]]
    return {"lines": lines, **sections}


def _record(action: str, detail: str) -> None:
    studio = current_app.config["studio"]
    audit.record(studio.store, studio.clock(), g.staff.email, action, detail=detail)


@blueprint.get("/")
def search():
    text = request.args.get("q", "").strip()
    found = family_records.find(_core(), text) if text else []
    return render_template("family_search.html", text=text, found=found)


def _family_page(family_id: int, *, status: int = 200, message: str = "", error: str = ""):
    address = family_records.address_of(_core(), family_id)
    if address is None:
        abort(404)
    found, gets = family_records.show(_core(), address)
    school_name = family_records.school_names(_core())
    return render_template("family_detail.html", family=found, gets=gets, school_name=school_name,
                           history=list(reversed(found.history)), message=message, error=error), status


@blueprint.get("/<int:family_id>")
def family(family_id: int):
    done = request.args.get("done", "")
    return _family_page(family_id, message={"unsubscribed": "Unsubscribed.", "opted-in": "Opted in again."}
                        .get(done, ""))


def _address(family_id: int) -> str:
    address = family_records.address_of(_core(), family_id)
    if address is None:
        abort(404)
    return address


@blueprint.post("/<int:family_id>/unsubscribe")
def unsubscribe(family_id: int):
    address = _address(family_id)
    publication = request.form.get("publication") or None
    reason = request.form.get("reason", "").strip()
    try:
        done = family_records.unsubscribe(_core(), address, reason=reason or "asked staff", publication=publication,
                                          by=f"studio:{g.staff.email}")
    except NewsletterError as e:
        return _family_page(family_id, status=400, error=_problems(e))
    _record("family-unsubscribe", f"{address} unsubscribed from {publication or 'everything'}"
                                  f"{'' if done.change else ' (already)'}: {reason or 'asked staff'}")
    return redirect(url_for("families.family", family_id=family_id, done="unsubscribed"))


@blueprint.post("/<int:family_id>/opt-in")
def opt_in(family_id: int):
    address = _address(family_id)
    publication = request.form.get("publication") or None
    source = request.form.get("source", "").strip()
    if not source:
        return _family_page(family_id, status=400, error="Say how the family asked (for example: phone call to the "
                                                         "district office, with the date): it is kept in the history.")
    try:
        done = family_records.opt_in(_core(), address, source, publication=publication, by=f"studio:{g.staff.email}")
    except NewsletterError as e:
        return _family_page(family_id, status=400, error=_problems(e))
    _record("family-opt-in", f"{address} opted in{' to ' + publication if publication else ''}"
                             f"{'' if done.change or publication else ' (already subscribed)'}: {source}")
    return redirect(url_for("families.family", family_id=family_id, done="opted-in"))


# -- the roster: upload (dry run), then apply ---------------------------------------------------------

def _forget_old(folder: Path) -> None:
    limit = time.time() - KEEP_SECONDS
    for old in folder.glob("roster-*"):
        if old.stat().st_mtime < limit:
            old.unlink(missing_ok=True)


def _waiting_file(token: str) -> Path | None:
    found = [p for p in _uploads().glob(f"roster-{token}.*") if p.suffix in ROSTER_SUFFIXES]
    return found[0] if found else None


def _report_lines(done, *, dry_run: bool, skip_invalid: bool) -> list[str]:
    from mailer.reports.text import import_report
    from mailer.roster.restore import restore_report
    if done.restored:
        return restore_report(done.report, done.store_description, dry_run)
    return import_report(done.report, done.roster, done.store_description, dry_run=dry_run, skip_invalid=skip_invalid,
                         audiences_file=done.audiences_file)


def _sections(done) -> dict:
    """The parts staff look for first: unknown schools, merged rows, rejected rows."""
    if done.restored:
        return {"unknown_schools": [], "merged": [], "rejected": []}
    report = done.report
    return {"unknown_schools": [u for u in report.unknown if u.field == "school"],
            "merged": [f"{f.email}: rows {', '.join(map(str, f.rows))} are one family" for f in
                       done.roster.families.values() if len(f.rows) > 1][:MAX_LISTED] + list(report.notes),
            "rejected": [str(bad) for bad in report.rejected]}


def _roster_page(status: int = 200, **shown):
    records = [record for _, record in current_app.config["studio"].publications.values()]
    chosen = request.form if request.endpoint == "families.upload" else MultiDict()    # kept to fix and send again
    return render_template("family_roster.html", limit=ROSTER_LIMIT, columns=MAPPABLE, publications=records,
                           chosen=chosen, **shown), status


# The columns a roster may name differently, as the form asks for them (the CLI's --map FIELD=COLUMN).
MAPPABLE = (("email", "Email"), ("name", "Name"), ("language", "Language"), ("school", "School"),
            ("grade", "Grade"))


def _file_choices(form) -> tuple[str | None, list[str]]:
    """The worksheet of an .xlsx (None: the first) and the columns named differently, from the form."""
    sheet = form.get("sheet", "").strip() or None
    mappings = [f"{field}={form.get(f'column_{field}', '').strip()}" for field, _ in MAPPABLE
                if form.get(f"column_{field}", "").strip()]
    return sheet, mappings


@blueprint.get("/roster")
def roster():
    return _roster_page()


@blueprint.post("/roster")
def upload():
    """The dry run: keep the file, show what the import would do, write nothing."""
    sent = request.files.get("roster")
    if sent is None or not sent.filename:
        return _roster_page(400, error="Choose the roster file (.csv, .txt or .xlsx).")
    suffix = Path(sent.filename).suffix.lower()
    if suffix not in ROSTER_SUFFIXES:
        return _roster_page(400, error=f"{sent.filename} is not a .csv, .txt or .xlsx file.")
    content = sent.read(ROSTER_LIMIT + 1)
    if len(content) > ROSTER_LIMIT:
        return _roster_page(413, error=f"The file is larger than {ROSTER_LIMIT // (1024 * 1024)} MB: import it "
                                       "with python compose.py subscribers import.")
    folder = _uploads()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    _forget_old(folder)
    previous = session.get("roster")
    if previous and (old := _waiting_file(previous["token"])) is not None:
        old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    kept = folder / f"roster-{token}{suffix}"
    kept.write_bytes(content)
    skip_invalid = request.form.get("skip_invalid") == "yes"
    sheet, mappings = _file_choices(request.form)
    publications = [slug for slug in current_app.config["studio"].publications
                    if slug in request.form.getlist("publication")]
    try:
        done = family_records.import_roster(_core(), kept, skip_invalid=skip_invalid, dry_run=True, sheet=sheet,
                                            mappings=mappings, publications=tuple(publications))
    except NewsletterError as e:
        kept.unlink(missing_ok=True)
        session.pop("roster", None)
        return _roster_page(400, error=_problems(e, kept, sent.filename), name=sent.filename)
    session["roster"] = {"token": token, "sha256": hashlib.sha256(content).hexdigest(), "name": sent.filename,
                         "skip_invalid": skip_invalid, "sheet": sheet, "mappings": mappings,
                         "publications": publications}
    blocked = done.refused_rows and not skip_invalid
    return _roster_page(name=sent.filename, token=token, skip_invalid=skip_invalid, blocked=blocked,
                        **_uploaded_report(done, kept, sent.filename, dry_run=True, skip_invalid=skip_invalid))


@blueprint.post("/roster/apply")
def apply():
    """The second, confirmed POST: the same file (same session, same bytes) imported for real."""
    waiting = session.get("roster")
    token = request.form.get("token", "")
    if not waiting or not secrets.compare_digest(waiting["token"], token):
        return _roster_page(409, error="This upload is not yours or was already applied: upload the roster again.")
    if request.form.get("confirm") != "yes":
        return _roster_page(400, error="Tick the box to confirm the import, or upload the roster again.",
                            name=waiting["name"])
    kept = _waiting_file(token)
    if kept is None or hashlib.sha256(kept.read_bytes()).hexdigest() != waiting["sha256"]:
        session.pop("roster", None)
        if kept is not None:
            kept.unlink(missing_ok=True)
        return _roster_page(409, error="The uploaded file is gone or changed since the dry run: upload it again "
                                       "and read the report again.")
    skip_invalid = waiting["skip_invalid"]
    try:
        done = family_records.import_roster(_core(), kept, skip_invalid=skip_invalid, dry_run=False,
                                            sheet=waiting.get("sheet"), mappings=waiting.get("mappings", []),
                                            publications=tuple(waiting.get("publications", ())))
    except NewsletterError as e:
        return _roster_page(400, error=_problems(e, kept, waiting["name"]), name=waiting["name"])
    session.pop("roster", None)
    kept.unlink(missing_ok=True)
    shown = _uploaded_report(done, kept, waiting["name"], dry_run=False, skip_invalid=skip_invalid)
    lines = shown["lines"]
    written = done.restored or done.report.written
    _record("roster-import", f"{waiting['name']} (sha256 {waiting['sha256'][:16]}): "
                             + ("; ".join(line.strip() for line in lines[1:7] if line.strip())))
    return _roster_page(200 if written else 400, name=waiting["name"], applied=written, **shown)



@blueprint.app_context_processor
def families_link():
    return {"may_see_families": may_see_families}
