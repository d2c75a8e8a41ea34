"""The preference center (Flask): one-click unsubscribe, preferences, the SendGrid webhook.

    create_app()   reads NEWSLETTER_SECRET, NEWSLETTER_DB, SENDGRID_WEBHOOK_PUBLIC_KEY and
                   newsletters/publication.yaml, audiences.yaml from the current folder

Pages are plain server-rendered HTML in the family's language; nothing sets a cookie.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from flask import Flask, abort, render_template, request
from jinja2 import StrictUndefined
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

from blocks.i18n.localize import localize_publication
from blocks.loader import load_publication
from mailer.store import events as delivery
from mailer.send.links import PREFERENCES, UNSUBSCRIBE, BadToken, LinkSigner
from mailer.store.subscribers import Store, email_for
from mailer.values.topics import TOPICS

from preferences.pages import TOPIC_LABELS, language_choices, page_language
from preferences.webhook import WebhookRefused, verify_sendgrid

CSRF_MAX_AGE = 6 * 3600


def create_app(*, store: Store | None = None, signer: LinkSigner | None = None, publication=None,
               audiences=None, webhook_key: str | None = None, clock=time.time,
               newsletters_dir: Path = Path("newsletters")) -> Flask:
    from mailer.audiences.loader import load_audiences
    app = Flask(__name__)
    app.jinja_env.undefined = StrictUndefined
    signer = signer or LinkSigner.from_env()
    store = store or Store.open()
    publication = publication or load_publication(newsletters_dir / "publication.yaml")
    localized = {code: localize_publication(publication, newsletters_dir, code) for code in publication.languages}
    audiences = audiences or load_audiences()
    webhook_key = webhook_key if webhook_key is not None else os.environ.get("SENDGRID_WEBHOOK_PUBLIC_KEY", "")
    supported = tuple(publication.languages)
    csrf = TimestampSigner(signer.secret, salt="newsletter-preferences-form")

    def family(purpose: str, token: str):
        try:
            subscriber_id, issue = signer.verify(purpose, token)
        except BadToken:
            abort(404)
        email = email_for(store, subscriber_id)
        if email is None:
            abort(404)
        return store.get(email), issue

    def page(template: str, subscriber, status: int = 200, **values):
        lang = page_language(request.args.get("lang") or subscriber.language, supported)
        return render_template(template, _=lang.gettext, lang=lang, publication=localized[lang.code],
                               languages=language_choices(supported), subscriber=subscriber, **values), status

    @app.after_request
    def no_cache(response):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/u/<token>")
    def unsubscribe_page(token: str):
        subscriber, issue = family(UNSUBSCRIBE, token)      # a GET never changes anything
        return page("unsubscribe.html", subscriber, token=token,
                    preferences=signer.token(PREFERENCES, subscriber.id, issue), done=False)

    @app.post("/u/<token>")
    def unsubscribe(token: str):
        subscriber, issue = family(UNSUBSCRIBE, token)
        if request.form.get("List-Unsubscribe") != "One-Click":
            abort(400)
        store.set_status(subscriber.email, "unsubscribed", by="link:one-click", reason=f"issue {issue}")
        with store.write() as connection:
            delivery.store_new(connection, [delivery.Event(
                f"link-unsubscribe-{issue}-{subscriber.id}", "link", "unsubscribe", subscriber.email, issue,
                subscriber.id, delivery.now())])
        return page("unsubscribe.html", store.get(subscriber.email), token=token,
                    preferences=signer.token(PREFERENCES, subscriber.id, issue), done=True)

    @app.route("/p/<token>", methods=["GET", "POST"])
    def preferences(token: str):
        subscriber, _issue = family(PREFERENCES, token)
        message = None
        if request.method == "POST":
            try:
                if csrf.unsign(request.form.get("csrf", ""), max_age=CSRF_MAX_AGE).decode() != str(subscriber.id):
                    raise BadSignature("another family's form")
            except (BadSignature, SignatureExpired):
                abort(400)
            subscriber, message = _apply(store, subscriber, request.form, audiences)
        return page("preferences.html", subscriber, token=token, message=message,
                    csrf=csrf.sign(str(subscriber.id)).decode(), topics=TOPICS, topic_labels=TOPIC_LABELS,
                    schools=sorted(audiences.schools.values(), key=lambda s: s.name))

    @app.post("/webhooks/sendgrid")
    def sendgrid_webhook():
        body = request.get_data()
        try:
            events = verify_sendgrid(body, request.headers, webhook_key, clock())
        except WebhookRefused as e:
            return {"error": str(e)}, 403
        new = delivery.apply(store, [e for e in map(delivery.from_sendgrid, events) if e is not None])
        return {"received": len(events), "new": len(new)}, 200

    @app.errorhandler(404)
    def not_found(_error):
        lang = page_language(request.args.get("lang", "en"), supported)
        return render_template("not_found.html", _=lang.gettext, lang=lang, publication=publication,
                               languages=[]), 404

    @app.errorhandler(400)
    def bad_request(_error):
        lang = page_language(request.args.get("lang", "en"), supported)
        return render_template("bad_request.html", _=lang.gettext, lang=lang, publication=publication,
                               languages=[]), 400

    app.config["store"] = store
    return app


def _apply(store: Store, subscriber, form, audiences):
    action = form.get("action", "save")
    if action == "unsubscribe":
        store.set_status(subscriber.email, "unsubscribed", by="preferences", reason="unsubscribed from all")
        return store.get(subscriber.email), "unsubscribed"
    if action == "resubscribe" and subscriber.status in ("unsubscribed", "complained"):
        store.set_status(subscriber.email, "subscribed", by="preferences", reason="the family subscribed again")
        return store.get(subscriber.email), "resubscribed"
    language = form.get("language") or None
    topics = [t for t in form.getlist("topics") if t in TOPICS]
    schools = [s for s in form.getlist("schools") if s in audiences.schools]
    updated = store.update_preferences(subscriber.email, language=language, topics=topics, schools=schools)
    return updated, "saved"
