"""The family's pages: one-click unsubscribe (/u/TOKEN) and the preference page (/p/TOKEN).

Suppression is one-way here: a link unsubscribes only a subscribed family and subscribes
again only an unsubscribed one. Bounced and complained addresses stay so whatever is
clicked; their page says what happened and how to get back on the list. Every choice is
checked against the publication's languages, the topics and audiences.yaml's schools.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request

from blocks.content_tree import split_key
from mailer.send.links import PREFERENCES, UNSUBSCRIBE, BadToken
from mailer.store import delivery_events as delivery
from mailer.store.facts import legacy_publication
from mailer.store.subscribers import email_for
from mailer.store.subscriptions import follows, set_subscription, subscriptions_of
from mailer.values.topics import TOPICS

from family_web.pages import TOPIC_LABELS, Center, neutral_center

ACTIONS = ("save", "unsubscribe", "resubscribe")


class BadChoice(Exception):
    """A form value that is not one of the page's choices (answered 400; the value is not logged)."""


@dataclass(frozen=True)
class Choice:
    action: str
    language: str | None = None
    topics: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    publications: tuple[str, ...] | None = None    # the publications ticked (None: the form had none)


def read_choice(form, languages: tuple[str, ...], schools, publications: tuple[str, ...] = ()) -> Choice:
    """The family's choice from the preference form, every value one the page offered."""
    action = form.get("action")
    if action not in ACTIONS:
        raise BadChoice("action")
    if action != "save":
        return Choice(action)
    language, topics, chosen = form.get("language"), form.getlist("topics"), form.getlist("schools")
    if language not in languages:
        raise BadChoice("language")
    if any(t not in TOPICS for t in topics) or any(s not in schools for s in chosen):
        raise BadChoice("topic or school")
    ticked = form.getlist("publications")
    if any(p not in publications for p in ticked):
        raise BadChoice("publication")
    return Choice(action, language, tuple(topics), tuple(chosen),
                  tuple(ticked) if form.get("publications-shown") else None)


def apply_choice(store, subscriber, choice: Choice, center: Center | None = None):
    """(the family as stored now, the message to show)."""
    if choice.action == "save":
        if choice.publications is not None and center is not None:
            follow(store, subscriber, center, set(choice.publications))
        # the menu showed the language their emails are in ("zh_Hans" for "zh", English for one the
        # publication does not offer): left so, the family did not pick another, and theirs is kept
        kept = center is not None and choice.language == center.email_language(subscriber)
        return store.update_preferences(subscriber.email, language=None if kept else choice.language,
                                        topics=choice.topics, schools=choice.schools), "saved"
    if choice.action == "unsubscribe":
        store.set_status(subscriber.email, "unsubscribed", by="preferences", reason="unsubscribed from all",
                         create=False, only_from=("subscribed",))
    else:                 # resubscribe: twice (double click, back button) is the same as once
        store.set_status(subscriber.email, "subscribed", by="preferences", reason="the family subscribed again",
                         create=False, only_from=("unsubscribed",))
    now = store.get(subscriber.email)
    wanted = {"unsubscribe": ("unsubscribed", "unsubscribed"), "resubscribe": ("subscribed", "resubscribed")}
    status, message = wanted[choice.action]
    return now, message if now.status == status else None


def following(connection, subscriber, center: Center) -> list[tuple[str, str, bool]]:
    """(slug, name in the family's language, follows it) for every publication of the center."""
    rows = subscriptions_of(connection, subscriber.id)
    return [(slug, c.localized.get(c.email_language(subscriber), c.publication).name,
             follows(rows, slug, c.publication.default_subscribe)) for slug, c in center.all.items()]


def follow(store, subscriber, center: Center, ticked: set[str]) -> None:
    """Subscribe to the ticked publications and unsubscribe from the others (a history row each)."""
    with store.write() as connection:
        for slug, _name, gets in following(connection, subscriber, center):
            if (slug in ticked) != gets:
                set_subscription(connection, subscriber.id, slug, "subscribed" if slug in ticked else "unsubscribed",
                                 by="preferences", reason="the family's choice on the preference page")


def _following(store, subscriber, center: Center) -> list[tuple[str, str, bool]]:
    with store.read() as connection:
        return following(connection, subscriber, center)


def register(app, center: Center) -> None:
    store, signer = center.store, center.signer

    def family(purpose: str, token: str):
        """(the family, its issue key, the center of that issue's publication) from a link's token;
        the center is None when the publication is unknown or was removed (never another one's)."""
        try:
            subscriber_id, issue = signer.verify(purpose, token)
        except BadToken:
            abort(404)
        email = email_for(store, subscriber_id)
        if email is None:
            abort(404)
        publication, _ = split_key(issue, "")
        if not publication:         # a link sent before publications: the one the store's upgrade recorded
            publication = legacy_publication(store) or ""
        return store.get(email), issue, center.of(publication) if publication else None

    def gone(subscriber, path: str, status: int, message: str | None = None):
        """The page of a link whose newsletter no longer exists: nothing is changed; leaving
        everything is offered behind a confirmation (a form with its anti-forgery token)."""
        neutral = neutral_center(next(iter(center.all.values())))
        return neutral.family_page("gone.html", subscriber, status, action=path, message=message,
                                   csrf=neutral.csrf_token(subscriber.id))

    def gone_post(subscriber, path: str):
        """A form or one-click POST to a link of a newsletter that no longer exists: only a
        confirmed "unsubscribe from everything" (with its anti-forgery token) changes anything."""
        if request.form.get("List-Unsubscribe") == "One-Click":
            return gone(subscriber, path, 200)             # that newsletter is not sent any more: done
        if request.form.get("action") != "unsubscribe":
            return gone(subscriber, path, 400)
        if not center.csrf_ok(request.form.get("csrf", ""), subscriber.id):
            neutral = neutral_center(next(iter(center.all.values())))
            return neutral.family_page("bad_request.html", subscriber, 400, reason="expired", back=path)
        now, message = apply_choice(store, subscriber, Choice("unsubscribe"))
        return gone(now, path, 200, message)

    @app.get("/u/<token>")
    def unsubscribe_page(token: str):
        subscriber, issue, here = family(UNSUBSCRIBE, token)      # a GET never changes anything
        if here is None:
            return gone(subscriber, f"/u/{token}", 410)
        return here.family_page("unsubscribe.html", subscriber, token=token,
                                preferences=signer.token(PREFERENCES, subscriber.id, issue), done=False)

    @app.post("/u/<token>")
    def unsubscribe(token: str):
        """RFC 8058 one-click: leaves the publication of the message; the page offers leaving all."""
        subscriber, issue, here = family(UNSUBSCRIBE, token)
        if here is None:
            return gone_post(subscriber, f"/u/{token}")
        if request.form.get("List-Unsubscribe") != "One-Click":
            return here.family_page("bad_request.html", subscriber, 400, reason="one-click", back=f"/u/{token}")
        delivery.unsubscribe_by_link(store, subscriber.id, subscriber.email, issue, publication=here.slug,
                                     by="link:one-click")
        return here.family_page("unsubscribe.html", store.get(subscriber.email), token=token,
                                preferences=signer.token(PREFERENCES, subscriber.id, issue), done=True,
                                csrf=here.csrf_token(subscriber.id))

    @app.route("/p/<token>", methods=["GET", "POST"])
    def preferences(token: str):
        subscriber, _issue, here = family(PREFERENCES, token)
        if here is None:
            return gone(subscriber, f"/p/{token}", 410) if request.method == "GET" else \
                gone_post(subscriber, f"/p/{token}")
        message = None
        if request.method == "POST":
            if not here.csrf_ok(request.form.get("csrf", ""), subscriber.id):
                return here.family_page("bad_request.html", subscriber, 400, reason="expired", back=f"/p/{token}")
            try:
                choice = read_choice(request.form, here.supported, here.audiences.schools,
                                     tuple(here.all))
            except BadChoice:
                return here.family_page("bad_request.html", subscriber, 400, reason="invalid", back=f"/p/{token}")
            subscriber, message = apply_choice(store, subscriber, choice, here)
        return here.family_page("preferences.html", subscriber, token=token, message=message,
                                csrf=here.csrf_token(subscriber.id), topics=TOPICS, topic_labels=TOPIC_LABELS,
                                schools=sorted(here.audiences.schools.values(), key=lambda s: s.name),
                                publications=_following(store, subscriber, here))
