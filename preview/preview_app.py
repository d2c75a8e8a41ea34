"""The preview's web side (Flask): the page, its event stream and the frames.

    GET /                    the page (?lang=en&lang=es&width=phone|desktop&labels=0)
    GET /events              server-sent events: one "update" per snapshot (its parts and frame digests);
                             ?page=<id>&lang=en&lang=es: the languages the page shows, rendered first
    GET /frame/<lang>.html   one language's email with placeholders for tokens, block labels added
    GET /frame/<lang>.txt    its plain-text part, as a page
    GET /frame/<name>.ics    the calendar files the emails link to

The page and each event are rendered from the same templates (templates/parts.html), so what
the page first shows and what an update shows are the same markup.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from flask import Flask, Response, abort, request

from blocks.i18n.status import OUTCOME_TEXT
from preview.previewer import Snapshot
from preview.live_updates import Hub

HERE = Path(__file__).resolve().parent
WIDTHS = ("phone", "desktop")


@lru_cache(maxsize=1)
def pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def parts(snapshot: Snapshot) -> dict[str, str]:
    """The page's changing parts, by element id."""
    macros = pages().get_template("parts.html").module
    found = {"problems": macros.problems(snapshot), "warnings": macros.warnings(snapshot),
             "live": macros.live(snapshot)}
    found.update({f"head-{lang}": macros.head(view, OUTCOME_TEXT) for lang, view in snapshot.views.items()})
    return {key: str(value) for key, value in found.items()}


def frames(snapshot: Snapshot, previous: Snapshot | None) -> dict:
    """Per language: the digests of the frame's head (without the subject and preheader), inbox
    (those), sections and text; the inbox itself (`top`: the page sets it in place); and the
    sections that `previous` did not have (a page showing `previous` makes just those, and
    reorders the rest)."""
    found = {}
    for lang, view in snapshot.views.items():
        digests, patch = view.digests, {}
        before = previous.views.get(lang) if previous else None
        if before and before.digests["head"] == digests["head"]:
            known = set(before.digests["sections"])
            patch = {i: section for i, (section, digest) in enumerate(zip(view.shown.sections, digests["sections"]))
                     if digest not in known}
        found[lang] = dict(digests, patch=patch, top=view.inbox)
    return found


def event_data(snapshot: Snapshot, previous: Snapshot | None = None) -> str:
    """One line of JSON: what a page needs to catch up with this snapshot."""
    return json.dumps({"version": snapshot.version, "languages": list(snapshot.views),
                       "frames": frames(snapshot, previous),
                       "parts": parts(snapshot), "problems": len(snapshot.problems), "settling": snapshot.settling,
                       "rebuild_ms": round(snapshot.rebuild_ms, 1), "rendered": list(snapshot.rendered)},
                      ensure_ascii=False, separators=(",", ":"))


LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def create_app(current, hub: Hub, host: str = "127.0.0.1") -> Flask:
    """`current()` returns the latest Snapshot; `hub` streams the events. Requests naming another
    Host than this computer's loopback names (or the `host` it listens on) are refused: a web page
    on a name made to point at 127.0.0.1 (DNS rebinding) cannot read the preview."""
    app = Flask(__name__, static_folder=str(HERE / "static"), static_url_path="/static")
    ours = LOOPBACK | ({host.strip("[]").lower()} - {"0.0.0.0", "::", ""})

    @app.before_request
    def own_name_only():
        asked = urlsplit("//" + (request.host or "")).hostname or ""
        if asked.lower() not in ours:
            return Response(f"This preview answers to {', '.join(sorted(ours))} only, not '{asked}'.\n",
                            status=421, mimetype="text/plain")
        return None

    @app.after_request
    def headers(response):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    @app.get("/")
    def page():
        snapshot = current()
        asked = [lang for lang in request.args.getlist("lang") if lang in snapshot.views]
        width = request.args.get("width", "phone")
        html = pages().get_template("page.html").render(
            snap=snapshot, shown=asked or list(snapshot.views), width=width if width in WIDTHS else "phone",
            labels=request.args.get("labels", "1") != "0", outcomes=OUTCOME_TEXT)
        return Response(html, mimetype="text/html")

    @app.get("/events")
    def events():
        stream = hub.stream(languages=request.args.getlist("lang"), page=request.args.get("page"))
        return Response(stream, mimetype="text/event-stream", headers={"X-Accel-Buffering": "no"})

    @app.get("/frame/<name>")
    def frame(name: str):
        views = current().views
        stem, _, suffix = name.rpartition(".")
        if suffix == "html" and stem in views:
            return Response(views[stem].frame, mimetype="text/html")
        if suffix == "txt" and stem in views:
            return Response(pages().get_template("text.html").render(view=views[stem]), mimetype="text/html")
        for view in views.values():
            if name in view.files:
                return Response(view.files[name], mimetype="text/calendar")
        abort(404)

    return app

