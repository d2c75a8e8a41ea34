"""Home: the publications the person may edit, their issues newest first with their state, and
"New issue" from the previous one (blocks/scaffold.py, as `compose.py new`)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask import Blueprint, current_app, g, redirect, render_template, request, url_for
from sqlalchemy import func, select

from blocks.i18n.status import language_status
from blocks.loader import load_issue
from blocks.content_tree import issue_folders
from blocks.scaffold import new_issue
from common.errors import NewsletterError
from mailer.store.tables import studio_drafts, web_editions
from studio import audit
from studio.workspace import shown_path

blueprint = Blueprint("home", __name__)


@dataclass(frozen=True)
class IssueRow:
    slug: str
    title: str
    states: list[str]


def _studio():
    return current_app.config["studio"]


@blueprint.get("/")
def home():
    studio = _studio()
    mine = g.staff.publications(list(studio.publications))
    shown = [(slug, studio.publications[slug][1], _issues(studio, slug)) for slug in mine
             if g.staff.may(slug, "editor")]
    return render_template("home.html", publications=shown)


def _issues(studio, slug: str) -> list[IssueRow]:
    with studio.store.read() as connection:
        sent = dict(connection.execute(select(web_editions.c.issue, func.min(web_editions.c.published_at)).where(
            web_editions.c.publication == slug).group_by(web_editions.c.issue)).all())
        drafts = {row.issue for row in connection.execute(select(studio_drafts.c.issue).where(
            studio_drafts.c.publication == slug))}
    rows = []
    for folder in reversed(issue_folders(studio.folder(slug))):
        states = ["draft open in the studio"] if folder.name in drafts else []
        try:
            issue = load_issue(folder, library_dir=studio.settings.library)
        except NewsletterError as e:
            rows.append(IssueRow(folder.name, folder.name, states + [f"has problems ({len(e.problems)})"]))
            continue
        others = [lang for lang in issue.languages if lang != issue.source_lang]
        done = sum(1 for lang in others if language_status(issue, lang).outcome == "full")
        states.append("ready")
        if others:
            states.append(f"translated {done} of {len(others)} languages")
        when = sent.get(folder.name)
        if when is not None:
            states.append(f"sent on {when:%Y-%m-%d}")
        rows.append(IssueRow(folder.name, f"{issue.title} - {issue.period}", states))
    return rows


def suggested_name(previous: str | None) -> str:
    """The next month's folder name after e.g. 2021-09-sept-oct: 2021-11-nov (a guess to edit)."""
    months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    found = re.match(r"(\d{4})-(\d{2})", previous or "")
    if not found:
        return ""
    year, month = int(found[1]), int(found[2])
    span = re.search(r"-([a-z]+)-([a-z]+)$", previous or "")
    step = 2 if span else 1
    month += step
    if month > 12:
        year, month = year + 1, month - 12
    return f"{year}-{month:02d}-{months[month - 1]}"


@blueprint.route("/<publication>/new", methods=["GET", "POST"])
def new(publication: str):
    studio = _studio()
    folder = studio.folder(publication)
    previous = issue_folders(folder)
    if request.method == "GET":
        return render_template("new_issue.html", publication=publication, error=None,
                               name=suggested_name(previous[-1].name if previous else None),
                               previous=previous[-1].name if previous else None)
    name = request.form.get("name", "").strip()
    try:
        started = new_issue(folder / name)
    except NewsletterError as e:
        return render_template("new_issue.html", publication=publication, name=name, error=e.problems[0],
                               previous=previous[-1].name if previous else None), 400
    path = started.folder / "issue.yaml"
    audit.record(studio.store, studio.clock(), g.staff.email, "new-issue", publication=publication,
                 path=shown_path(path), detail=path.read_text(encoding="utf-8"))
    return redirect(url_for("editor.edit", publication=publication, issue=name))

