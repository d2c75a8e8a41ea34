"""The staff studio (Flask): staff sign in and write issues in the browser; the YAML files stay the
source of truth (studio/documents.py writes them round-trip).

    create_app(settings, store=...)            the store (the face opens it from NEWSLETTER_DB), newsletters/ of the
                                              current folder, the wall clock
    create_app(settings, store=..., newsletters_dir=..., clock=...)   (tests)

Every route needs a signed-in staff member with a role in the route's publication
(studio/security.py); every state-changing request needs the CSRF token (Flask-WTF).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from blocks.loader import load_publications
from common.errors import ConfigError
from mailer.store.subscribers import Store
from studio import security
from studio.studio_settings import StudioSettings

FORM_LIMIT = 2 * 1024 * 1024


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Studio:
    """What the views share: settings, store, clock and the publications (slug -> folder, settings)."""

    settings: StudioSettings
    store: Store
    clock: Callable[[], dt.datetime]
    newsletters: Path
    publications: dict[str, tuple[Path, object]]

    def folder(self, publication: str) -> Path:
        return self.publications[publication][0]


def create_app(settings: StudioSettings, *, store: Store | None = None, newsletters_dir: Path = Path("newsletters"),
               clock: Callable[[], dt.datetime] = utc_now, sending=None) -> Flask:
    found = load_publications(newsletters_dir)
    if not found:
        raise ConfigError("newsletters", f"no publication in {newsletters_dir}/",
                          "run the studio from the project folder, which has newsletters/<publication>/publication.yaml",
                          outcome="the studio did not start")
    app = Flask(__name__)
    app.config.update(SECRET_KEY=settings.secret_key, MAX_CONTENT_LENGTH=FORM_LIMIT,
                      SESSION_COOKIE_NAME="studio_session", SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=settings.secure_cookies,
                      WTF_CSRF_TIME_LIMIT=None, WTF_CSRF_SSL_STRICT=settings.secure_cookies)
    if settings.proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies,
                                x_host=settings.proxies)
    studio = Studio(settings, store or Store.open(), clock, Path(newsletters_dir),
                    {record.slug: (folder, record) for folder, record in found.items()})
    app.config["studio"] = studio
    from studio.forms import slot
    app.jinja_env.globals["slot"] = slot
    security.install(app, studio)       # before CSRF: anonymous gets 401/sign-in first
    CSRFProtect(app)

    from studio import editor, edits, family_pages, home, oidc, preview, signin
    for module in (signin, oidc, home, editor, edits, preview, family_pages):
        app.register_blueprint(module.blueprint)
    from studio import send_pages
    send_pages.install(app, studio, sending)       # sending: a send_pages.SendDesk (default: outbox)
    from studio import review_pages
    review_pages.install(app, studio)   # translation review (studio/review_pages.py)

    @app.context_processor
    def everywhere():
        from flask import g
        return {"me": g.get("staff"), "demo": settings.demo}

    @app.get("/healthz")
    def health():
        return {"status": "ok"}

    @app.errorhandler(CSRFError)
    def refused(error):
        if security.is_api(request.path):
            return {"error": "the form's security token is missing or old: reload the page"}, 400
        return render_template("error.html", title="Reload the page", status=400,
                               message="This form's security token is missing or too old. Reload the page and "
                                       "try again."), 400

    @app.errorhandler(403)
    def forbidden(_error):
        if security.is_api(request.path):
            return {"error": "you have no role in this publication"}, 403
        return render_template("error.html", title="Not yours to open", status=403,
                               message="Your account has no role in this publication. An administrator can "
                                       "give you one."), 403

    @app.errorhandler(404)
    def not_found(_error):
        return render_template("error.html", title="Not found", status=404, message="There is nothing here."), 404

    return app
