"""The preference center (Flask): one-click unsubscribe, preferences, the SendGrid webhook, and
the web editions of sent issues with their archive (family_web/edition_pages.py).

    create_app(settings)    uses NEWSLETTER_SECRET (and _PREVIOUS), NEWSLETTER_DB,
                            SENDGRID_WEBHOOK_PUBLIC_KEY (common.settings), every
                            newsletters/*/publication.yaml and audiences.yaml from the current
                            folder; refuses a weak secret or an unusable key (ConfigError) before
                            opening anything
    create_app(demo=True)   `serve --demo`: the public demo secret, a banner on every page

Pages are plain server-rendered HTML in the family's language; nothing sets a cookie; every answer
carries a Content-Security-Policy without script and frame-ancestors 'none', Referrer-Policy
no-referrer (tokens are in the addresses) and X-Content-Type-Options nosniff (`headers`). Request
bodies are limited (FORM_LIMIT, WEBHOOK_LIMIT) and refused with 413 before they are read.
"""
from __future__ import annotations

import time
from pathlib import Path

from flask import Flask, abort, request

from blocks.content_tree import library_of
from blocks.i18n.localize import localize_publication
from blocks.loader import load_publications
from common.errors import ConfigError
from common.settings import Settings
from mailer.send.links import LinkSigner
from mailer.store import delivery_events as delivery
from mailer.store.subscribers import Store

from family_web import edition_pages as editions, family
from family_web.access_log import redact
from family_web.pages import Center, Centers, set_up_templates
from family_web.webhook import SETTING, NotEvents, WebhookRefused, check_headers, load_public_key, verify_body

FORM_LIMIT = 1024 * 1024              # a preference form is a few hundred bytes
WEBHOOK_LIMIT = 5 * 1024 * 1024       # SendGrid posts batches well under this
WEBHOOK_PATH = "/webhooks/sendgrid"
# Every answer's Content-Security-Policy: no script at all, the pages' own <style>, images over
# https (a publication's logo), forms posted back here, never shown inside another site's frame.
PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' https: data:; form-action 'self'; "
               "base-uri 'none'; frame-ancestors 'none'")


class PreferenceCenter(Flask):
    def log_exception(self, exc_info) -> None:
        """Flask's error log, without the token that the path of a family's link carries."""
        self.logger.error("Exception on %s [%s]", redact(request.path), request.method, exc_info=exc_info)


def create_app(settings: Settings | None = None, *, store: Store | None = None, signer: LinkSigner | None = None,
               audiences=None, webhook_key: str | None = None, clock=time.time,
               newsletters_dir: Path = Path("newsletters"), demo: bool = False) -> Flask:
    """The app for `settings` (common.settings; default: none set, as for tests that pass the rest)."""
    from mailer.audiences.audiences_file import load_audiences
    settings = settings or Settings()
    signer = signer or (LinkSigner.for_send(settings, demo=True) if demo else LinkSigner.for_server(settings))
    key = load_public_key(webhook_key if webhook_key is not None else settings.webhook_public_key)
    publications = load_publications(newsletters_dir)
    if not publications:
        raise ConfigError("newsletters", f"no publication in {newsletters_dir}/: the pages show a publication's "
                          "name, address and languages", "run the preference center from the project folder, "
                          "which has newsletters/<publication>/publication.yaml",
                          outcome="the preference center did not start")
    audiences = audiences or load_audiences(settings.audiences)
    store = store or Store.of(settings)
    app = PreferenceCenter(__name__)
    set_up_templates(app)
    app.config["MAX_CONTENT_LENGTH"] = FORM_LIMIT
    if key is None and not demo:
        app.logger.warning("%s is not set: the SendGrid webhook refuses every event (403)", SETTING)

    library = library_of(newsletters_dir, settings.library)     # its chrome/: the district's reviewed strings

    def build(found: dict) -> dict[str, Center]:
        return {publication.slug: Center(
            store, signer, publication, audiences, demo,
            {code: localize_publication(publication, folder, code) for code in publication.languages}, centers,
            library) for folder, publication in found.items()}

    # newsletters/ as it is at each request (an office added or removed while the app runs)
    centers = Centers(newsletters_dir, build)
    center = centers.first()      # its .of() and .all follow newsletters/; pages about no publication use the first

    @app.context_processor
    def everywhere():
        return {"demo": demo}

    @app.before_request
    def limit_body():
        if request.path == WEBHOOK_PATH:
            request.max_content_length = WEBHOOK_LIMIT
        if request.content_length is not None and request.content_length > request.max_content_length:
            abort(413)                                   # before a byte of the body is read
        if request.content_length is None and "Transfer-Encoding" in request.headers:
            request.get_data(cache=True)                 # chunked: read up to the limit, kept for the form
            if request.stream.read(1):                   # (werkzeug raises 413 itself past the limit)
                abort(413)

    @app.after_request
    def headers(response):
        response.headers.setdefault("Cache-Control", "no-store")   # web editions say how long they keep
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"        # a family's token is in the address
        response.headers.setdefault("Content-Security-Policy", PAGE_POLICY)   # web editions set a stricter one
        if response.status_code == 413:
            response.headers["Connection"] = "close"     # the unread body is not a next request
        return response

    family.register(app, center)
    editions.register(app, center)                   # /<publication>/...: web editions and the archive

    @app.post(WEBHOOK_PATH)
    def sendgrid_webhook():
        try:
            stamp = check_headers(request.headers, key, clock())     # before reading the body
            events = verify_body(request.get_data(cache=False), stamp, key)
        except WebhookRefused as e:
            return {"error": str(e)}, 403
        except NotEvents as e:
            return {"error": str(e)}, 400
        applied = delivery.apply(store, [delivery.from_sendgrid(raw) for raw in events])
        answer = {"received": len(events), "new": applied.new}
        if applied.skipped:
            answer["skipped"] = applied.skipped
        return answer, 200

    @app.get("/healthz")
    def health():
        try:
            with store.read() as connection:
                connection.exec_driver_sql("SELECT 1")
        except Exception:                                # noqa: BLE001 - any failure means unhealthy
            app.logger.exception("health check: the subscriber store is not reachable")
            return {"status": "store unavailable"}, 503
        return {"status": "ok"}, 200

    @app.errorhandler(404)
    def not_found(_error):
        return centers.first().error_page("not_found.html", 404)

    @app.errorhandler(400)
    def bad_request(_error):
        return centers.first().error_page("bad_request.html", 400, reason="invalid", back=None)

    @app.errorhandler(413)
    def too_large(_error):
        if request.path == WEBHOOK_PATH:
            return {"error": "request body too large"}, 413
        return centers.first().error_page("bad_request.html", 413, reason="too-large", back=None)

    app.config["store"] = store
    return app
