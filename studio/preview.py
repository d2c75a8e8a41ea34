"""The live preview of the draft: each language's email as families would get it (render_issue of
the edited, unsaved issue, tokens shown as placeholders), served on its own URL with a
Content-Security-Policy that lets only the studio frame it; and its plain-text part."""
from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template

from blocks.i18n.localize import localize
from blocks.render import render_issue
from studio import workspace
from studio.checking import checked

blueprint = Blueprint("preview", __name__)


def _email(publication: str, issue: str, lang: str):
    space = workspace.open_issue(publication, issue)
    with checked(space.folder, space.draft.text, space.shown, space.library) as (loaded, problems):
        if loaded is None:
            return None, problems
        if lang not in loaded.languages:
            abort(404)
        return render_issue(localize(loaded, lang), lang).preview(), []


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
    email, problems = _email(publication, issue, lang)
    if email is None:
        return _framed(render_template("preview_problems.html", problems=problems))
    return _framed(email.text, "text/plain")
