"""Translation review in the studio: translators per publication and language, the dashboard, a
block's review (checks at the field, approve, drafts, stale diff, conflicts), the PO files as
`translations import` writes them, machine drafts through the DeepL stub, the chrome catalogs."""
from __future__ import annotations

import re
import shutil

import polib
import pytest
from click.testing import CliRunner

from blocks.i18n.status import language_status
from blocks.loader import load_issue
from tests.studio.conftest import PASSWORD, SAMPLE, csrf, sign_in

SPANISH_PO = ("equity", SAMPLE, "i18n", "es.po")


def add_translator(app, clock, email: str, languages=("es",), publication: str = "equity"):
    from studio import accounts
    store = app.config["studio"].store
    accounts.add(store, email, email.split("@")[0].title(), [("translator", publication)], clock(),
                 [(publication, lang) for lang in languages])
    accounts.set_password(store, accounts.by_email(store, email).id, PASSWORD, clock())


def client_of(app, email: str):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


@pytest.fixture
def chrome_copy(app, newsletters):
    """Where the review pages write the district's reviewed chrome strings: the test content
    tree's library (newsletters/library/chrome/), as the studio finds it itself."""
    from blocks.i18n import chrome
    folder = app.config["review_chrome"]
    assert folder == chrome.reviewed_folder(newsletters.resolve() / "library")
    return folder


@pytest.fixture
def sofia(app, clock, chrome_copy):
    """A Spanish (and Vietnamese-less) translator of equity."""
    add_translator(app, clock, "sofia@example.org", ("es", "ar"))
    return client_of(app, "sofia@example.org")


def page_of(answer) -> str:
    return answer.get_data(as_text=True)


def form_fields(html: str) -> dict[str, str]:
    fields = {"csrf_token": csrf(html), "seen": re.search(r'name="seen" value="([^"]*)"', html)[1]}
    for name, value in re.findall(r'<input type="text" id="(t-\d+)" name="t-\d+"[^>]*value="([^"]*)"', html):
        fields[name] = _unescape(value)
    for name, value in re.findall(r'<textarea id="(t-\d+)"[^>]*>([^<]*)</textarea>', html, re.S):
        fields[name] = _unescape(value)
    return fields


def _unescape(text: str) -> str:
    import html
    return html.unescape(text)


def spanish(newsletters) -> dict[str, polib.POEntry]:
    return {e.msgctxt: e for e in polib.pofile(str(newsletters.joinpath(*SPANISH_PO)))}


def make_stale(newsletters, context: str = "welcome.body", new_english: str | None = None):
    """Change the English of the welcome block so its Spanish is stale."""
    path = newsletters / "equity" / SAMPLE / "issue.yaml"
    text = path.read_text(encoding="utf-8")
    issue = load_issue(path.parent)
    old = next(b for b in issue.blocks if b.id == "welcome").fields.heading
    path.write_text(text.replace(f"heading: {old}", f"heading: {new_english or 'Welcome back, families!'}", 1),
                    encoding="utf-8")
    return old


def test_a_translator_reviews_only_her_languages_on_every_route(app, sofia):
    """Every review route with a language: 403 for a language the translator lacks, and for an editor."""
    eve = client_of(app, "eve@example.org")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("review.") or "lang" not in rule.arguments:
            continue
        values = {"publication": "equity", "issue": SAMPLE, "lang": "vi", "owner": "welcome", "number": 0}
        path = rule.build({k: values[k] for k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": csrf(page_of(sofia.get("/")))} if method == "POST" else None
            assert sofia.open(path, method=method, data=data).status_code == 403, (method, path)
            assert eve.open(path, method=method, data=data).status_code == 403, (method, path)
            checked += 1
    assert checked >= 7
    assert sofia.get(f"/equity/{SAMPLE}/translations").status_code == 200       # the dashboard: readable
    assert eve.get(f"/equity/{SAMPLE}/translations").status_code == 200
    assert sofia.get(f"/food/{SAMPLE}/translations").status_code == 403           # another publication
    assert sofia.get(f"/equity/{SAMPLE}/").status_code == 403                      # the editor: not hers
    assert sofia.get(f"/equity/{SAMPLE}/translations/es/blocks/welcome").status_code == 200


def test_the_dashboard_orders_languages_by_the_families_who_read_them(app, sofia):
    store = app.config["studio"].store
    for n, lang in enumerate(["vi"] * 4 + ["es"] * 2 + ["es_MX"] + ["pt"]):
        store.set_status(f"family{n}@example.org", "subscribed", by="test")
        store.update_preferences(f"family{n}@example.org", language=lang)
    page = page_of(sofia.get(f"/equity/{SAMPLE}/translations"))
    summaries = re.findall(r"<strong>([^<]+)</strong>", page)
    assert summaries[0].startswith("Vietnamese (vi): 4 families;") and "machine" in summaries[0]
    assert summaries[1].startswith("Spanish (es): 3 families;")                    # es_MX reads es
    assert summaries[2].startswith("Portuguese (pt): 1 family;")
    # her languages link to their blocks, the others do not
    assert f'/equity/{SAMPLE}/translations/es/blocks/welcome' in page
    assert f'/equity/{SAMPLE}/translations/vi/blocks/welcome' not in page
    assert "a server on this machine" in page                                       # the sample's stub drafts


def test_the_home_page_of_a_translator_lists_her_issues(sofia):
    page = page_of(sofia.get("/"))
    assert f'href="/equity/{SAMPLE}/translations"' in page and "You review: es, ar" in page
    assert "no publication to edit yet" not in page


def test_a_stale_block_shows_exactly_the_words_that_changed(app, sofia, newsletters):
    make_stale(newsletters, new_english="Welcome Back, dear families!")
    page = page_of(sofia.get(f"/equity/{SAMPLE}/translations/es/blocks/welcome"))
    assert "stale: the English changed" in page
    changes = re.search(r"What changed in the English since this was translated</h3>\s*<p[^>]*>(.*?)</p>", page, re.S)[1]
    assert re.findall(r"<del>.*?</del>", changes) == ['<del><span class="visually-hidden">removed: </span>Back!</del>']
    assert re.findall(r"<ins>.*?</ins>", changes) == \
        ['<ins><span class="visually-hidden">added: </span>Back, dear families!</ins>']


def test_word_changes_mark_only_changed_words():
    from blocks.i18n.block_review import word_changes
    changes = word_changes("The picnic is on Friday at noon.", "The big picnic is on Saturday at noon.")
    assert [(c.op, c.text.strip()) for c in changes if c.op != "="] == [("+", "big"), ("-", "Friday"), ("+", "Saturday")]


def test_approving_writes_the_po_file_as_import_does_and_status_agrees(app, sofia, newsletters):
    before = newsletters.joinpath(*SPANISH_PO).read_text(encoding="utf-8")
    make_stale(newsletters)
    url = f"/equity/{SAMPLE}/translations/es/blocks/welcome"
    fields = form_fields(page_of(sofia.get(url)))
    heading_field = next(k for k, v in fields.items() if v.startswith("¡Bienvenid"))
    fields[heading_field] = "¡Bienvenidas de nuevo, familias!"
    answer = sofia.post(url, data=fields | {"action": "approve"})
    assert answer.status_code == 302
    after = newsletters.joinpath(*SPANISH_PO).read_text(encoding="utf-8")
    entry = spanish(newsletters)["welcome.heading"]
    assert entry.msgstr == "¡Bienvenidas de nuevo, familias!" and entry.msgid == "Welcome back, families!"
    assert not entry.fuzzy
    # round trip: only the welcome.heading entry changed; every other entry, comment, wrapping and the order kept
    def others(text):
        return [chunk for chunk in text.split("\n\n") if 'msgctxt "welcome.heading"' not in chunk]
    assert others(before) == others(after)
    assert [e.msgctxt for e in polib.pofile(before)] == [e.msgctxt for e in polib.pofile(after)]
    issue = load_issue(newsletters / "equity" / SAMPLE)
    assert language_status(issue, "es").unit_status["welcome.heading"] == "approved"
    assert "Approved: welcome in Spanish" in page_of(sofia.get(answer.location))
    from studio import audit
    entries = [e for e in audit.entries(app.config["studio"].store) if e.action == "translation-approve"]
    assert entries[0].actor == "sofia@example.org" and "welcome.heading" in entries[0].detail
    assert "approved by Sofia" in page_of(sofia.get(url))                           # the block's history


def test_a_broken_link_or_unbalanced_bold_is_refused_at_the_field(app, sofia, newsletters):
    before = newsletters.joinpath(*SPANISH_PO).read_bytes()
    url = f"/equity/{SAMPLE}/translations/es/blocks/additional-resources"
    html = page_of(sofia.get(url))
    fields = form_fields(html)
    markdown_field = next(k for k, v in fields.items() if "](" in v)
    fields[markdown_field] = fields[markdown_field].replace("](", "](x", 1) + " **sin cerrar"
    answer = sofia.post(url, data=fields | {"action": "approve"})
    assert answer.status_code == 400
    page = page_of(answer)
    slot = re.search(rf'<div class="problems" id="p-{markdown_field[2:]}">(.*?)</div>', page, re.S)[1]
    assert "links differ from the English" in slot and "unbalanced Markdown emphasis" in slot
    assert newsletters.joinpath(*SPANISH_PO).read_bytes() == before                 # nothing stored
    assert "sin cerrar" in page                                                      # what she typed is kept


def test_save_as_draft_then_translations_status_shows_a_draft(app, sofia, newsletters):
    url = f"/equity/{SAMPLE}/translations/es/blocks/welcome"
    fields = form_fields(page_of(sofia.get(url)))
    first = next(k for k in fields if k.startswith("t-"))
    fields[first] += " (borrador)"
    assert sofia.post(url, data=fields | {"action": "draft"}).status_code == 302
    from compose import cli
    result = CliRunner().invoke(cli, ["translations", "status", str(newsletters / "equity" / SAMPLE)])
    assert re.search(r"es draft: welcome", result.output), result.output


def test_a_save_over_translations_changed_since_is_refused_with_both_versions(app, clock, sofia, newsletters):
    add_translator(app, clock, "tomas@example.org", ("es",))
    tomas = client_of(app, "tomas@example.org")
    url = f"/equity/{SAMPLE}/translations/es/blocks/welcome"
    mine, theirs = form_fields(page_of(sofia.get(url))), form_fields(page_of(tomas.get(url)))
    first = next(k for k in theirs if k.startswith("t-"))
    theirs[first], mine[first] = "Versión de Tomás", "Versión de Sofía"
    assert tomas.post(url, data=theirs | {"action": "approve"}).status_code == 302
    refused = sofia.post(url, data=mine | {"action": "approve"})
    assert refused.status_code == 409
    page = page_of(refused)
    assert "Not saved: someone changed" in page and "Versión de Tomás" in page and "Versión de Sofía" in page
    assert spanish(newsletters)["welcome.heading"].msgstr == "Versión de Tomás"
    again = form_fields(page) | {first: "Versión de Sofía", "action": "approve"}     # she decides: hers
    assert sofia.post(url, data=again).status_code == 302
    assert spanish(newsletters)["welcome.heading"].msgstr == "Versión de Sofía"


def test_approve_and_next_goes_to_the_next_block_needing_review(app, sofia, newsletters):
    make_stale(newsletters)
    url = f"/equity/{SAMPLE}/translations/ar/blocks/issue"
    fields = form_fields(page_of(sofia.get(url)))
    answer = sofia.post(url, data=fields | {"next": "1"})
    assert answer.status_code == 302 and "/translations/ar/blocks/" in answer.location
    assert not answer.location.endswith("/issue")


def test_arabic_fields_and_preview_are_right_to_left(app, sofia):
    page = page_of(sofia.get(f"/equity/{SAMPLE}/translations/ar/blocks/welcome"))
    assert re.search(r'<textarea id="t-\d+" name="t-\d+" lang="ar" dir="rtl"', page)
    assert 'lang="en" dir="ltr"' in page                                            # the English stays left to right
    preview = sofia.get(f"/equity/{SAMPLE}/translations/ar/preview")
    assert preview.status_code == 200 and re.search(r'<html[^>]*dir="rtl"', page_of(preview))
    assert "frame-ancestors 'self'" in preview.headers["Content-Security-Policy"]


def test_glossary_terms_are_marked_with_what_to_write(app, sofia):
    page = page_of(sofia.get(f"/equity/{SAMPLE}/translations/es/blocks/issue"))
    html = page_of(sofia.get(f"/equity/{SAMPLE}/translations/es/blocks/publication"))
    assert "<mark>Office of Equity Advancement</mark>" in html
    assert "Oficina para el Avance de la Equidad" in html
    assert page  # the issue's texts open too


@pytest.fixture
def deepl_stub():
    from tests.deepl_stub import DeepLStub
    with DeepLStub() as stub:
        yield stub


@pytest.fixture
def machine_app(newsletters, studio_store, clock, deepl_stub):
    from common.settings import Settings
    from studio.app import create_app
    from studio.studio_settings import StudioSettings
    from tests.studio.conftest import SECRET, add_staff
    add_staff(studio_store, clock, "ada@example.org", role="admin")
    machine = Settings.from_env({"DEEPL_AUTH_KEY": "stub-key", "DEEPL_SERVER_URL": deepl_stub.url})
    return create_app(StudioSettings(secret_key=SECRET, machine=machine), store=studio_store,
                      newsletters_dir=newsletters, clock=clock)


def test_machine_drafts_for_vietnamese_through_the_deepl_stub_then_approved_one_by_one(machine_app, clock,
                                                                                      deepl_stub, newsletters):
    add_translator(machine_app, clock, "linh@example.org", ("vi",))
    linh = client_of(machine_app, "linh@example.org")
    make_stale(newsletters)                                    # the Vietnamese welcome.heading needs a new draft
    url = f"/equity/{SAMPLE}/translations/vi/machine"
    estimate = page_of(linh.get(url + "?owner=welcome"))
    assert "Characters billed (estimate)" in estimate and "deepl@127.0.0.1" in estimate
    assert "server on this machine" in estimate
    assert deepl_stub.translate_requests == []                                       # nothing sent yet
    answer = linh.post(url, data={"csrf_token": csrf(estimate), "owner": "welcome"})
    assert answer.status_code == 302 and answer.location.endswith("/translations/vi/blocks/welcome")
    assert len(deepl_stub.translate_requests) == 1
    page = page_of(linh.get(answer.location))
    assert "[VI] Welcome back, families!" in page and "Machine draft by deepl@127.0.0.1" in page
    assert "machine drafts by DeepL" in page
    fields = form_fields(page)
    assert linh.post(answer.location, data=fields | {"action": "approve"}).status_code == 302
    issue = load_issue(newsletters / "equity" / SAMPLE)
    status = language_status(issue, "vi")
    assert status.unit_status["welcome.heading"] == "approved"
    # the whole language: its estimate first, then every missing text in one request
    whole = page_of(linh.get(url))
    assert re.search(r"Ask DeepL for \d+ drafts", whole)
    assert linh.post(url, data={"csrf_token": csrf(whole)}).status_code == 302
    assert "Nothing to send" in page_of(linh.get(url))


def test_machine_drafts_without_a_key_say_who_can_set_them_up_and_change_nothing(app, sofia, newsletters):
    before = newsletters.joinpath(*SPANISH_PO).read_bytes()
    answer = sofia.get(f"/equity/{SAMPLE}/translations/es/machine?owner=welcome")
    page = page_of(answer)
    assert answer.status_code == 503 and "not set up for this studio" in page and "DEEPL_AUTH_KEY" in page
    assert f'href="/equity/{SAMPLE}/translations/es/blocks/welcome"' in page            # back to the block
    assert newsletters.joinpath(*SPANISH_PO).read_bytes() == before


def test_the_chrome_catalog_is_reviewed_string_by_string(app, sofia, chrome_copy):
    page = page_of(sofia.get("/equity/translations/chrome/es"))
    assert "0 of" in page and "unreviewed" in page
    token = csrf(page)
    seen = re.search(r'id="entry-0".*?name="seen" value="([^"]+)"', page, re.S)[1]
    broken = sofia.post("/equity/translations/chrome/es/0", data={"csrf_token": token, "seen": seen,
                                                                  "text": "Hola, familia:", "action": "approve"})
    assert broken.status_code == 400 and "placeholders differ" in page_of(broken)      # %(name)s lost
    ok = sofia.post("/equity/translations/chrome/es/0", data={"csrf_token": token, "seen": seen,
                                                              "text": "Hola, %(name)s:", "next": "1"})
    assert ok.status_code == 302 and ok.location.endswith("#entry-1")
    [entry] = polib.pofile(str(chrome_copy / "es.po"))           # only what people reviewed is there
    assert entry.msgstr == "Hola, %(name)s:" and entry.tcomment.startswith("approved in the studio by Sofia")
    assert "1 of" in page_of(sofia.get("/equity/translations/chrome/es"))
    assert sofia.get("/equity/translations/chrome/vi").status_code == 403


def test_an_approved_chrome_string_is_content_used_by_emails_and_pages_never_written_in_the_code(
        app, sofia, chrome_copy, newsletters):
    """The studio writes the district's strings beside the library (never blocks/i18n/chrome/, a
    Python package); emails and family pages of that newsletters folder use them, a draft is not
    used, and another content tree keeps the product's strings."""
    from blocks.i18n import chrome
    from blocks.i18n.localize import localize
    from blocks.render import render_issue
    from mailer.send.personalize import Personalizer
    shipped = {p.name: p.read_bytes() for p in chrome.CATALOGS.glob("*.po")}
    page = page_of(sofia.get("/equity/translations/chrome/es"))
    number = next(e.number for e in chrome_review_entries(chrome_copy, "es") if e.source == "Dear family,")
    seen = re.search(rf'id="entry-{number}".*?name="seen" value="([^"]+)"', page, re.S)[1]
    answer = sofia.post(f"/equity/translations/chrome/es/{number}",
                        data={"csrf_token": csrf(page), "seen": seen, "text": "Queridas familias:"})
    assert answer.status_code == 302
    assert {p.name: p.read_bytes() for p in chrome.CATALOGS.glob("*.po")} == shipped
    issue = load_issue(newsletters / "equity" / SAMPLE)
    assert issue.library.resolve() == chrome_copy.parent.resolve()
    assert chrome.greeting("es", None, issue.library) == "Queridas familias:"
    personalizer = Personalizer(issue.key, None, "example.org", "https://example.org", library=issue.library)
    assert personalizer._neutral_greeting("es") == "Queridas familias:"
    from blocks.render_env import environment
    from family_web.pages import page_language
    assert environment("txt", "es", issue.library).from_string("{{ _('Dear family,') }}").render() \
        == "Queridas familias:"                                                                  # the emails'
    assert environment("txt", "es").from_string("{{ _('Dear family,') }}").render() == "Estimada familia:"
    assert page_language("es", ("en", "es"), issue.library).gettext("Dear family,") == "Queridas familias:"
    render_issue(localize(issue, "es"), "es")                  # renders with it
    assert chrome.greeting("es", None) == "Estimada familia:" != "Queridas familias:"   # without the library
    sofia_page = page_of(sofia.get("/equity/translations/chrome/es"))
    seen = re.search(rf'id="entry-{number}".*?name="seen" value="([^"]+)"', sofia_page, re.S)[1]
    assert sofia.post(f"/equity/translations/chrome/es/{number}", data={
        "csrf_token": csrf(sofia_page), "seen": seen, "text": "Familias queridas:", "action": "draft"}).status_code == 302
    assert chrome.greeting("es", None, issue.library) == "Estimada familia:"     # a draft: the product's shows


def chrome_review_entries(folder, lang):
    from blocks.i18n import chrome_review
    return chrome_review.entries(folder, lang)


def test_staff_add_a_translator_with_her_languages(tmp_path, monkeypatch):
    import compose
    monkeypatch.setenv("NEWSLETTER_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("NEWSLETTER_STUDIO_SECRET", raising=False)

    def run(*args):
        return CliRunner().invoke(compose.cli, list(args), catch_exceptions=False)

    added = run("staff", "add", "liaison@example.org", "--name", "Rosa", "--role", "translator",
                "--publication", "equity", "--language", "es", "--language", "pt")
    assert added.exit_code == 0 and "translator of equity in es, pt" in added.output, added.output
    assert "translator of equity in es, pt" in run("staff", "list").output
    assert run("staff", "add", "x@example.org", "--name", "X", "--role", "translator",
               "--publication", "equity").exit_code == 2                                    # no --language
    assert run("staff", "add", "y@example.org", "--name", "Y", "--role", "editor", "--publication", "equity",
               "--language", "es").exit_code == 2                                            # only translators
    wrong = run("staff", "add", "z@example.org", "--name", "Z", "--role", "translator", "--publication", "equity",
                "--language", "klingon-ish")
    assert wrong.exit_code == 2 and "not a language code" in wrong.output
