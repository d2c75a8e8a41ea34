"""The live preview of the draft: each language's email as families would get it (the edited,
unsaved issue rendered by the preview's engine, studio/draft_renders.py, tokens shown as
placeholders), served on its own URL with a Content-Security-Policy that lets only the studio
frame it; and its plain-text part. While the draft has problems the preview keeps showing its
last version without problems, as `compose.py preview` does (the editor says so)."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template, send_from_directory

from studio import workspace

blueprint = Blueprint("preview", __name__)


def _email(publication: str, issue: str, lang: str, text: bool = False):
    space = workspace.open_issue(publication, issue)
    renders = space.renders
    if renders.good is None:
        return None, space.problems
    email = renders.email(lang, text=text)
    if email is None:
        abort(404)
    return email, []


def _framed(body: str, mimetype: str = "text/html"):
    response = make_response(body)
    response.mimetype = mimetype
    response.headers["X-Studio-Preview"] = "1"
    return response


@blueprint.get("/<publication>/<issue>/preview/<lang>")
def html(publication: str, issue: str, lang: str):
    email, problems = _email(publication, issue, lang)
    if email is None:
        return _framed(render_template("preview_problems.html", problems=problems))
    return _framed(email.html)


@blueprint.get("/<publication>/<issue>/text/<lang>")
def text(publication: str, issue: str, lang: str):
    email, problems = _email(publication, issue, lang, text=True)
    if email is None:
        return _framed(render_template("preview_problems.html", problems=problems))
    return _framed(email.text, "text/plain")


@blueprint.get("/<publication>/<issue>/preview/images/<name>")
def image(publication: str, issue: str, name: str):
    """A picture of the issue (images/ beside issue.yaml), as the preview's emails link to it."""
    space = workspace.open_issue(publication, issue)
    return send_from_directory(space.folder / "images", name, max_age=0)
