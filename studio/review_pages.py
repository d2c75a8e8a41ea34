"""Translation review in the browser (Weblate's and Pontoon's review work, per block and beside the
email families will get): the dashboard of an issue's languages x blocks, reviewing one block in
one language, the preview in that language, machine drafts on request (cost first), and the chrome
catalogs string by string.

Who may do what (studio/security.py ROLE): an editor or translator of the publication sees the
dashboard; changing a language's translations (and its chrome catalog) needs the translator role
in that publication AND that language (or admin). The PO files stay the source of truth: saves go
through blocks/i18n/block_review.py (the checks and files of `translations import`); each save and
machine run is in the audit log, which is each block's history.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from markupsafe import Markup, escape

from blocks import markdown
from blocks.content_tree import issue_folders, library_of
from blocks.i18n import block_review, chrome, chrome_review
from blocks.i18n.catalogs import scope_file
from blocks.i18n.localize import localize
from blocks.i18n.machine.glossary import Glossary, load_glossary
from blocks.i18n.status import language_name, language_status, local_providers, report_languages
from blocks.loader import load_issue
from blocks.publication import SLUG
from blocks.render import render_issue
from common.errors import ConfigError, NewsletterError
from studio import audit, security
from studio.workspace import shown_path

blueprint = Blueprint("review", __name__)
for _endpoint in ("dashboard",):
    security.ROLE[f"review.{_endpoint}"] = "reviewer"
for _endpoint in ("block", "save", "preview", "machine", "chrome_page", "chrome_save"):
    security.ROLE[f"review.{_endpoint}"] = "language"


def _studio():
    return current_app.config["studio"]


def install(app, studio) -> None:
    """Register the review pages. Reviewed chrome strings go to the library's chrome/ folder
    (chrome.reviewed_folder: content, beside the standing blocks), never into the product's catalogs."""
    app.config["review_chrome"] = chrome.reviewed_folder(library_of(studio.newsletters, studio.settings.library))
    app.register_blueprint(blueprint)


def _issue(publication: str, issue: str):
    studio = _studio()
    folder = studio.folder(publication) / issue
    if not SLUG.fullmatch(issue) or not (folder / "issue.yaml").is_file():
        abort(404)
    try:
        return load_issue(folder, library_dir=studio.settings.library)
    except NewsletterError as e:
        abort(make_response(render_template("error.html", title="This issue has problems", status=409,
                                            message=f"Fix its problems in the editor first ({len(e.problems)}: "
                                                    f"{e.problems[0].message})."), 409))


def _language(issue, lang: str) -> None:
    if lang == issue.source_lang or lang not in issue.publication.languages:
        abort(404)


def _glossary(issue) -> Glossary:
    try:
        return load_glossary(issue.path.parent)
    except NewsletterError:
        return Glossary()


def families_by_language(publication) -> Counter:
    """Subscribed families who follow the publication, by the publication language they read."""
    from mailer.send.routing import matching_language
    from mailer.store.rules import Follows
    counted = _studio().store.count(Follows(publication.slug, publication.default_subscribe)).by_language
    found: Counter = Counter()
    for family_lang, n in counted.items():
        found[matching_language(family_lang, publication.languages) or family_lang] += n
    return found


@dataclass
class OwnerView:
    key: str
    label: str


def owner_views(issue) -> list[OwnerView]:
    blocks = {b.id: b for b in issue.blocks}
    views = []
    for owner in block_review.owners(issue):
        if owner == "issue":
            views.append(OwnerView(owner, "Subject, title and preview line"))
        elif owner == "publication":
            views.append(OwnerView(owner, "Publication: name and footer (every issue)"))
        else:
            block = blocks.get(owner)
            heading = block and (block.fields.get("heading") or block.fields.get("title") or "")
            views.append(OwnerView(owner, f"{owner}" + (f" ({block.type})" if block else "")
                                   + (f": {heading}" if heading else "")))
    return views


@dataclass
class LanguageRow:
    lang: str
    name: str
    families: int
    statuses: dict          # owner -> status
    counts: Counter
    outcome: str
    local: list
    chrome: Counter
    mine: bool

    @property
    def summary(self) -> str:
        parts = [f"{n} {'block' if n == 1 else 'blocks'} {status}" for status, n in
                 ((s, self.counts[s]) for s in ("machine", "stale", "draft", "missing")) if n]
        families = f"{self.families} {'family' if self.families == 1 else 'families'}"
        return f"{self.name}: {families}; " + (", ".join(parts) if parts else "every block approved")


@blueprint.get("/<publication>/<issue>/translations")
def dashboard(publication: str, issue: str):
    loaded = _issue(publication, issue)
    families = families_by_language(loaded.publication)
    folder = current_app.config["review_chrome"]
    rows = []
    for lang in report_languages(loaded):
        if lang == loaded.source_lang:
            continue
        status = language_status(loaded, lang)
        statuses = block_review.owner_statuses(loaded, lang)
        rows.append(LanguageRow(lang, f"{language_name(lang)} ({lang})", families.get(lang, 0), statuses,
                                Counter(statuses.values()), status.outcome, local_providers(status),
                                chrome_review.counts(folder, lang) if chrome_review.has(lang) else Counter(),
                                g.staff.may_translate(publication, lang)))
    rows.sort(key=lambda r: (-r.families, r.name))
    return render_template("review_dashboard.html", publication=publication, issue=loaded, rows=rows,
                           owners=owner_views(loaded), english=families.get(loaded.source_lang, 0),
                           words=block_review.status_words)


def _history(publication: str, prefix: str) -> list:
    return [e for e in audit.entries(_studio().store, publication=publication, limit=1000)
            if e.detail.startswith(prefix)][:50]


def _neighbours(loaded, lang: str, owner: str) -> tuple[str | None, str | None]:
    """The owners before and after `owner`; "next" prefers the next one still needing review."""
    order = block_review.owners(loaded)
    if owner not in order:
        abort(404)
    at = order.index(owner)
    statuses = block_review.owner_statuses(loaded, lang)
    later = order[at + 1:] + order[:at]
    waiting = next((o for o in later if statuses.get(o) != "approved"), None)
    return (order[at - 1] if at else None), waiting or (order[at + 1] if at + 1 < len(order) else None)


def _block_page(publication, loaded, lang, owner, fields, seen, status=200, conflict=None):
    previous, following = _neighbours(loaded, lang, owner)
    label = next(v.label for v in owner_views(loaded) if v.key == owner)
    files = sorted({shown_path(scope_file(loaded, f.unit.context, lang)) for f in fields})
    return render_template("review_block.html", publication=publication, issue=loaded, lang=lang, owner=owner,
                           label=label, fields=fields, seen=seen, previous=previous, following=following,
                           name=language_name(lang), direction=block_review.direction(lang), files=files,
                           conflict=conflict, words=block_review.status_words,
                           history=_history(publication, f"{loaded.slug}/{lang}/{owner}:")), status


@blueprint.get("/<publication>/<issue>/translations/<lang>/blocks/<owner>")
def block(publication: str, issue: str, lang: str, owner: str):
    loaded = _issue(publication, issue)
    _language(loaded, lang)
    fields = block_review.review_fields(loaded, lang, owner, _glossary(loaded))
    if not fields:
        abort(404)
    return _block_page(publication, loaded, lang, owner, fields, block_review.fingerprint(loaded, lang, owner))


@blueprint.post("/<publication>/<issue>/translations/<lang>/blocks/<owner>")
def save(publication: str, issue: str, lang: str, owner: str):
    studio = _studio()
    loaded = _issue(publication, issue)
    _language(loaded, lang)
    if owner not in block_review.owners(loaded):
        abort(404)
    approve = request.form.get("action") != "draft"
    contexts = [u.context for u in block_review.owner_units(loaded, owner)]
    texts = {context: request.form.get(f"t-{i}", "") for i, context in enumerate(contexts)}
    files = {scope_file(loaded, c, lang) for c in contexts}
    before = {path: path.read_text(encoding="utf-8") if path.exists() else "" for path in files}
    result = block_review.save(loaded, lang, owner, texts, approve=approve, seen=request.form.get("seen"),
                               glossary=_glossary(loaded))
    now_seen = block_review.fingerprint(loaded, lang, owner)
    if result.refused:
        theirs = {f.unit.context: f for f in block_review.review_fields(loaded, lang, owner)}
        return _block_page(publication, loaded, lang, owner, result.fields, now_seen, 409, conflict=theirs)
    if result.problems or not (result.files or result.unchanged):
        if not result.problems:
            flash("Nothing to save: every field is empty.")
        return _block_page(publication, loaded, lang, owner, result.fields, request.form.get("seen"),
                           400 if result.problems else 200)
    if result.unchanged:
        flash(f"Nothing changed: {owner} in {language_name(lang)} was already stored so.")
    else:
        diffs = "".join(audit.diff(before[path], path.read_text(encoding="utf-8"), shown_path(path))
                        for path in sorted(files) if path in result.files)
        action = "translation-approve" if approve else "translation-draft"
        audit.record(studio.store, studio.clock(), g.staff.email, action, publication=publication,
                     path=shown_path(result.files[0]),
                     detail=f"{loaded.slug}/{lang}/{owner}: {'approved' if approve else 'saved as a draft'} by "
                            f"{g.staff.name}\n{diffs}")
        flash(f"{'Approved' if approve else 'Saved as a draft'}: {owner} in {language_name(lang)} "
              f"({', '.join(shown_path(p) for p in result.files)}).")
    warnings = [w for f in result.fields for w in f.warnings]
    if warnings:
        flash("Check: " + "; ".join(warnings) + ".")
    if request.form.get("next"):
        _, following = _neighbours(loaded, lang, owner)
        if following and following != owner:
            return redirect(url_for("review.block", publication=publication, issue=issue, lang=lang, owner=following))
        return redirect(url_for("review.dashboard", publication=publication, issue=issue))
    return redirect(url_for("review.block", publication=publication, issue=issue, lang=lang, owner=owner))


@blueprint.get("/<publication>/<issue>/translations/<lang>/preview")
def preview(publication: str, issue: str, lang: str):
    """The email in `lang` with drafts and machine drafts shown (what the reviewer is working on)."""
    loaded = _issue(publication, issue)
    _language(loaded, lang)
    html = render_issue(localize(loaded, lang, drafts=True), lang).preview().html
    response = make_response(html)
    response.headers["X-Studio-Preview"] = "1"
    return response


def _machine_plans(loaded, lang: str, owner: str | None):
    from blocks.i18n.machine.order import ProviderOrder
    from blocks.i18n.machine.run import plan
    glossary = _glossary(loaded)
    names = loaded.publication.get("machine_providers") or ProviderOrder().names
    order = ProviderOrder(names, settings=_studio().settings.machine, publication=loaded.publication.name)
    plans = plan(loaded, [lang], order, glossary)
    if owner:
        contexts = {u.context for u in block_review.owner_units(loaded, owner)}
        plans = [block_review.only(item, contexts, glossary) for item in plans]
    return plans, glossary


@blueprint.route("/<publication>/<issue>/translations/<lang>/machine", methods=["GET", "POST"])
def machine(publication: str, issue: str, lang: str):
    studio = _studio()
    loaded = _issue(publication, issue)
    _language(loaded, lang)
    owner = request.values.get("owner") or None
    if owner is not None and owner not in block_review.owners(loaded):
        abort(404)
    back = url_for("review.block", publication=publication, issue=issue, lang=lang, owner=owner) if owner else \
        url_for("review.dashboard", publication=publication, issue=issue)
    try:
        plans, glossary = _machine_plans(loaded, lang, owner)
        item = plans[0]
        if request.method == "GET" or not item.offered:
            return render_template("review_machine.html", publication=publication, issue=loaded, lang=lang,
                                   name=language_name(lang), owner=owner, item=item, back=back)
        from blocks.i18n.machine.run import run
        run(loaded, plans, glossary)
    except NewsletterError as e:
        setting = isinstance(e, ConfigError)      # the studio's settings, not the service, are at fault
        lead = ("Machine translation is not set up for this studio: nothing was sent and nothing changed. "
                "Whoever runs the studio can set it up:") if setting else \
            "The translation service did not make the drafts: nothing changed. What it answered:"
        status = 503 if setting else 502
        return render_template("error.html", title="No machine draft", lead=lead, back=back,
                               message="; ".join(f"{p.message} ({p.hint})" if p.hint else p.message
                                                 for p in e.problems)), status
    audit.record(studio.store, studio.clock(), g.staff.email, "machine-draft", publication=publication,
                 path=shown_path(scope_file(loaded, f"{owner or 'issue'}.x", lang)),
                 detail=f"{loaded.slug}/{lang}/{owner or '*'}: {item.filled} machine drafts by {item.provider.label}, "
                        f"{item.billed} characters billed" + (f"; refused: {item.failed}" if item.failed else ""))
    flash(f"{item.filled} machine drafts by {item.provider.display_name} ({item.provider.label}), "
          f"{item.billed} characters billed." + (f" {len(item.failed)} answers failed the checks and stay missing."
                                                 if item.failed else "") + " Review them before approving.")
    return redirect(back)


# -- the chrome catalogs ----------------------------------------------------------------------------

def _chrome_lang(publication: str, lang: str) -> Path:
    folder = current_app.config["review_chrome"]
    record = _studio().publications[publication][1]
    if lang not in record.languages or not chrome_review.has(lang):
        abort(404)
    return folder


@blueprint.get("/<publication>/translations/chrome/<lang>")
def chrome_page(publication: str, lang: str):
    folder = _chrome_lang(publication, lang)
    return _chrome(publication, lang, chrome_review.entries(folder, lang))


def _chrome(publication, lang, entries, status=200, focus=None, conflict=None):
    return render_template("review_chrome.html", publication=publication, lang=lang, name=language_name(lang),
                           entries=entries, direction=block_review.direction(lang), focus=focus, conflict=conflict,
                           counts=Counter(e.status for e in entries),
                           history=_history(publication, f"chrome/{lang}/")), status


@blueprint.post("/<publication>/translations/chrome/<lang>/<int:number>")
def chrome_save(publication: str, lang: str, number: int):
    studio = _studio()
    folder = _chrome_lang(publication, lang)
    approve = request.form.get("action") != "draft"
    path = folder / f"{lang}.po"                # the district's reviewed strings (made at the first save)
    before = path.read_text(encoding="utf-8") if path.is_file() else ""
    result, refused = chrome_review.save(folder, lang, number, request.form.get("text", ""), approve=approve,
                                         seen=request.form.get("seen"), who=g.staff.name, today=studio.clock().date())
    if result is None:
        abort(404)
    entries = chrome_review.entries(folder, lang)
    if refused or result.problems:
        entries[number] = result if result.problems else entries[number]
        return _chrome(publication, lang, entries, 409 if refused else 400, focus=number,
                       conflict=result if refused else None)
    audit.record(studio.store, studio.clock(), g.staff.email, "chrome-approve" if approve else "chrome-draft",
                 publication=publication, path=shown_path(path),
                 detail=f"chrome/{lang}/{number}: {'approved' if approve else 'saved as a draft'} by {g.staff.name}\n"
                        + audit.diff(before, path.read_text(encoding="utf-8"), shown_path(path)))
    flash(f"{'Approved' if approve else 'Saved as a draft'}: \u201c{result.source}\u201d.")
    following = number + 1 if request.form.get("next") and number + 1 < len(entries) else number
    return redirect(url_for("review.chrome_page", publication=publication, lang=lang) + f"#entry-{following}")


# -- shared with templates --------------------------------------------------------------------------

@blueprint.app_template_filter("glossed")
def glossed(text: str, terms) -> Markup:
    """The text, escaped, with the glossary's names marked."""
    out = str(escape(text))
    for name, _want in terms:
        escaped = str(escape(name))
        out = re.sub(rf"(?<![\w>]){re.escape(escaped)}(?!\w)", f"<mark>{escaped}</mark>", out)
    return Markup(out)


@blueprint.app_template_filter("english_html")
def english_html(text: str) -> Markup:
    return Markup(markdown.to_html(text))


@blueprint.app_template_global("review_home")
def review_home() -> list:
    """For the home page: the publications whose translations the person may open, with their issues."""
    staff = g.get("staff")
    if staff is None:
        return []
    studio = _studio()
    shown = []
    for slug in staff.publications(list(studio.publications)):
        if not staff.reviews(slug):
            continue
        record = studio.publications[slug][1]
        langs = [lang for lang in record.languages if lang != "en" and staff.may_translate(slug, lang)]
        shown.append((slug, record.name, [f.name for f in reversed(issue_folders(studio.folder(slug)))], langs))
    return shown
