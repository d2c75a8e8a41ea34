"""Web editions and the archive (mailer/publish/ stores them when an issue is sent):

    GET /<publication>/                      the archive: issues families got, newest first (?lang=)
    GET /<publication>/index[.<tag>].html    the archive in one language (the first one: index.html)
    GET /<publication>/feed.atom             an Atom feed of them
    GET /<publication>/foodshare-<tag>.ics   the Foodshare calendar to subscribe to (webcal://)
    GET /<publication>/<issue>/              the issue: its editions and calendar files (?lang=)
    GET /<publication>/<issue>/index[.<tag>].html  the issue's page in one language (the original's: index.html)
    GET /<publication>/<issue>/<tag>.html    an edition as a web page, with a language switcher
    GET /<publication>/<issue>/<name>.ics    a calendar file, as sent

The pages link each other by these file names, never by ?lang=, so that the copy `publish --to`
writes for a static host (which serves one file whatever the query) switches language too.
What is served is what the send published, never the YAML as it is now. Pages carry nothing
of any family, load nothing from elsewhere but the logo, and run no script.
"""
from __future__ import annotations

from urllib.parse import quote

from flask import Response, abort, render_template, request
from markupsafe import Markup

from blocks.i18n import chrome
from mailer.publish import published_editions as stored
from family_web import feeds
from mailer.publish.naming import from_tag, own_name, tag, web_base
from family_web.browser_edition import EMAIL_ONLY_CSS, for_browser

from family_web.pages import N_

KIND_LABELS = {"original": N_("Original"), "partial": N_("Some sections in English"),
               "machine": N_("Machine translation")}
CACHE = "public, max-age=300"
PAGE_POLICY = ("default-src 'none'; img-src 'self' https: data:; style-src 'unsafe-inline'; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")
CALENDAR = "text/calendar; charset=utf-8"


def register(app, center, also_listed: tuple[str, ...] = ()) -> None:
    """The routes, on the preference center's app (or the bare app `publish` writes files with);
    `also_listed`: issues the archive lists even before a family got them (a static upload)."""
    store = center.store

    def ours(publication: str):
        """The center of the publication the address names (each has its own name, languages, footer)."""
        found = center.of(publication)
        if found is None:
            abort(404)
        return found

    def issue_editions(publication: str, issue: str) -> list:
        ours(publication)
        found = stored.editions(store, publication, issue)
        if not found:
            abort(404)
        return found

    @app.get("/<publication>/")
    def archive(publication: str):
        here = ours(publication)
        return archive_page(here, publication, chosen(list(here.supported), here.supported[0]))

    @app.get("/<publication>/index.html")
    @app.get("/<publication>/index.<name>.html")
    def archive_in(publication: str, name: str = ""):
        here = ours(publication)
        return archive_page(here, publication, named(name, here.supported))

    def archive_page(here, slug: str, code: str):
        issues = stored.listed_issues(store, slug, also_listed)
        entries = [_entry(found, code) for found in issues]
        foodshare = any(f.block_type == feeds.FOODSHARE for f in stored.files(store, slug))
        base = _base(here, issues)
        return here.render("archive.html", code, 200, entries=entries, languages=[],
                           switch=_pages(here.supported, code),
                           foodshare=_subscription(base, code) if foodshare else None)

    @app.get("/<publication>/feed.atom")
    def feed(publication: str):
        here = ours(publication)
        slug = publication
        issues = stored.listed_issues(store, slug, also_listed)
        base = _base(here, issues)
        code = chosen(list(here.supported), here.supported[0])
        body = feeds.atom(here.localized[code].name, base, issues, code)
        return _cached(Response(body, content_type="application/atom+xml; charset=utf-8"))

    @app.get("/<publication>/foodshare-<name>.ics")
    def foodshare(publication: str, name: str):
        here, slug = ours(publication), publication
        code = from_tag(name)
        if code not in here.supported:
            abort(404)
        issues = stored.listed_issues(store, slug, also_listed)
        chosen_files = feeds.foodshare_files(issues, stored.files(store, slug, block_type=feeds.FOODSHARE), code)
        title = f"{chrome.translations(code, here.library).gettext('Foodshare food distributions')} - {here.localized[code].name}"
        return _calendar(feeds.foodshare_calendar(chosen_files, title, here.publication.name),
                         f"foodshare-{name}.ics")

    @app.get("/<publication>/<issue>/")
    def issue_index(publication: str, issue: str):
        found = issue_editions(publication, issue)
        return issue_page(ours(publication), found, chosen([e.lang for e in found], found[0].lang))

    @app.get("/<publication>/<issue>/index.html")
    @app.get("/<publication>/<issue>/index.<name>.html")
    def issue_index_in(publication: str, issue: str, name: str = ""):
        found = issue_editions(publication, issue)
        return issue_page(ours(publication), found, named(name, [e.lang for e in found]))

    def issue_page(here, found: list, code: str):
        shown = feeds.choose(found, code, found[0].lang)
        calendars = [f for f in stored.files(store, shown.publication, shown.issue)
                     if f.lang == shown.lang and f.name.endswith(".ics")]
        return here.render("issue.html", code, 200, shown=shown, switcher=_switcher(found, shown, shown, here.library),
                           calendars=calendars, languages=[], archive=f"../{_archive_file(here, code)}")

    @app.get("/<publication>/<issue>/<name>.html")
    def web_edition(publication: str, issue: str, name: str):
        found, here = issue_editions(publication, issue), ours(publication)
        edition = next((e for e in found if name in (e.tag, e.lang)), None)
        if edition is None:
            abort(404)
        first = next((e for e in found if request.args.get("from") in (e.tag, e.lang)), edition)
        page = for_browser(edition.html, edition.lang, here.library)
        html = render_template("edition.html", _=chrome.translations(edition.lang, here.library).gettext, edition=edition,
                               page=page, styles=Markup(page.styles), body=Markup(page.body),
                               email_only=EMAIL_ONLY_CSS, switcher=_switcher(found, edition, first, here.library),
                               archive=f"../{_archive_file(here, edition.lang)}",
                               issue_page=page_file(edition.lang, found[0].lang),
                               publication=here.localized.get(edition.lang, here.publication))
        response = _cached(Response(html, content_type="text/html; charset=utf-8"))
        response.headers["Content-Security-Policy"] = PAGE_POLICY
        response.headers["Content-Language"] = edition.tag
        return response

    @app.get("/<publication>/<issue>/images/<name>")
    def picture(publication: str, issue: str, name: str):
        """A block's picture, as the sent emails link to it (published with the edition)."""
        ours(publication)
        kind = PICTURES.get(name.rsplit(".", 1)[-1].lower()) if "." in name else None
        found = stored.web_file(store, publication, issue, f"images/{name}") if kind else None
        if found is None:
            abort(404)
        return _cached(Response(found.content, content_type=kind))

    @app.get("/<publication>/<issue>/<name>.ics")
    def calendar_file(publication: str, issue: str, name: str):
        ours(publication)
        found = stored.web_file(store, publication, issue, f"{name}.ics")
        if found is None:
            abort(404)
        return _calendar(found.content, found.name)


def _base(here, issues: list) -> str:
    """The publication's web address: where its issues were published, else the configured one
    (web_base_url, else NEWSLETTER_BASE_URL/<slug>); never the request's Host header, which
    anyone can set."""
    if issues:
        return issues[0][0].web_url.rsplit("/", 1)[0]
    return web_base(here.publication, getattr(here.signer, "base_url", "") or "")


def chosen(offered: list[str], default: str) -> str:
    """The reader's language among `offered`: ?lang=, else the browser's preference, else `default`."""
    asked = from_tag(request.args.get("lang", ""))
    if asked in offered:
        return asked
    best = request.accept_languages.best_match([tag(code) for code in offered])
    return from_tag(best) if best else default


def named(name: str, offered: list[str]) -> str:
    """The language of index.<name>.html (index.html: the first offered); 404 for one not offered."""
    code = from_tag(name) if name else offered[0]
    if code not in offered:
        abort(404)
    return code


def page_file(code: str, default: str) -> str:
    """The file of an archive or issue page in language `code`: index.html in `default`, else
    index.<tag>.html (what `publish --to` writes, and what the app answers too)."""
    return "index.html" if code == default else f"index.{tag(code)}.html"


def _archive_file(here, code: str) -> str:
    return page_file(code if code in here.supported else here.supported[0], here.supported[0])


def _pages(codes, current: str) -> list[dict]:
    """The archive's language switcher: each language by its own name, linking to its file."""
    return [{"tag": tag(code), "name": own_name(code), "href": page_file(code, codes[0]), "current": code == current}
            for code in codes]


def _switcher(found: list, current, first, library=None) -> list[dict]:
    """Every edition by its own name, with its status in its own language; `first` leads."""
    ordered = [first] + [e for e in found if e is not first]
    return [{"tag": e.tag, "name": own_name(e.lang), "current": e is current, "href": f"{e.tag}.html?from={first.tag}",
             "label": chrome.translations(e.lang, library).gettext(KIND_LABELS[e.kind]) if e.kind in KIND_LABELS else ""}
            for e in ordered]


def _entry(found: list, code: str) -> dict:
    shown = feeds.choose(found, code, found[0].lang)
    return {"edition": shown, "href": f"{shown.issue}/{shown.tag}.html", "in_english": shown.lang != code,
            "others": [(e.tag, own_name(e.lang), f"{e.issue}/{e.tag}.html") for e in found if e is not shown]}


def _subscription(base: str, code: str) -> dict:
    address = f"{base}/foodshare-{tag(code)}.ics"
    webcal = "webcal://" + address.split("://", 1)[1]
    return {"webcal": webcal, "https": address,
            "google": "https://calendar.google.com/calendar/render?cid=" + quote(webcal, safe="")}


PICTURES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


def _calendar(content: bytes, filename: str) -> Response:
    response = _cached(Response(content, content_type=CALENDAR))
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _cached(response: Response) -> Response:
    response.headers["Cache-Control"] = CACHE
    return response
