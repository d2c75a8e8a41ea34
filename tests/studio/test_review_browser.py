"""In Debian's Chromium (Playwright): a Spanish liaison with a translator account signs in, sees the
dashboard, opens a stale block, sees the words that changed, has a broken link and an unclosed **
refused at the field, fixes them and approves with the keyboard; the PO file changes and
`translations status` says approved; Vietnamese is refused (403); machine drafts for Vietnamese come
from the DeepL stub after the estimate and are approved one by one; Arabic is edited right to left;
the footer strings are approved. axe-core on every page. Screenshots (es, ar) go to tmp_path."""
from __future__ import annotations

import re

import polib
import pytest
from click.testing import CliRunner

from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (fixture)
from tests.studio.conftest import PASSWORD, SAMPLE, served
from tests.studio.test_review import SPANISH_PO, add_translator, make_stale


@pytest.fixture
def review_site(newsletters, studio_store, clock, tmp_path):
    from common.settings import Settings
    from studio.app import create_app
    from studio.studio_settings import StudioSettings
    from tests.deepl_stub import DeepLStub
    from tests.studio.conftest import SECRET
    with DeepLStub() as stub:
        machine = Settings.from_env({"DEEPL_AUTH_KEY": "stub-key", "DEEPL_SERVER_URL": stub.url})
        app = create_app(StudioSettings(secret_key=SECRET, machine=machine), store=studio_store,
                         newsletters_dir=newsletters, clock=clock)
        add_translator(app, clock, "rosa@example.org", ("es", "ar"))
        add_translator(app, clock, "linh@example.org", ("vi",))
        with served(app) as url:
            yield url, stub


def signed_in(browser, site, email):  # noqa: F811
    page = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{site}/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your publications").wait_for()
    return page


def clean(page):
    for width in (1440, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        assert serious_violations(page) == [], (page.url, width)


def opens_at_the_block(page, block: str):
    """The page stays at its fields (on a phone too: the preview comes after them); the preview
    beside them has scrolled itself to the block under review."""
    frame = page.frame_locator("aside iframe")
    frame.locator(f"#{block}").wait_for(state="attached")
    page.wait_for_function("""(block) => {
        const doc = document.querySelector("aside iframe").contentDocument;
        const top = doc.getElementById(block).getBoundingClientRect().top;
        return top >= 0 && top < 40; }""", arg=block)
    assert page.evaluate("window.scrollY") == 0


def test_a_spanish_liaison_reviews_in_the_browser(browser, review_site, newsletters, tmp_path):  # noqa: F811
    site, _stub = review_site
    make_stale(newsletters, new_english="Welcome back, dear families!")
    page = signed_in(browser, site, "rosa@example.org")
    clean(page)
    page.get_by_role("link", name=f"Translations of {SAMPLE}").click()
    page.get_by_role("heading", name=f"Translations: equity / {SAMPLE}").wait_for()
    clean(page)
    page.screenshot(path=str(tmp_path / "review-dashboard.png"), full_page=True)
    page.get_by_role("link", name="stale: welcome in Spanish (es)").click()
    page.get_by_role("heading", name=re.compile("Spanish: welcome")).wait_for()
    opens_at_the_block(page, "welcome")
    diff = page.locator(".changes").first
    assert diff.locator("del").inner_text() == "removed: Back!" or diff.locator("del").inner_text().endswith("Back!")
    assert diff.locator("ins").inner_text().endswith("back, dear families!")
    clean(page)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(tmp_path / "review-es-stale.png"))

    body = page.locator("textarea[lang=es]").first
    original = body.input_value()
    body.fill(original.replace("](https://www.whps.org)", "](https://www.whps.org/elsewhere)", 1) + " **sin cerrar")
    page.locator("input[lang=es]").first.fill("¡Bienvenidas de nuevo, queridas familias!")
    page.get_by_role("button", name="Approve", exact=True).click()
    page.get_by_text("links differ from the English").wait_for()
    assert page.get_by_text("unbalanced Markdown emphasis").is_visible()
    assert "¡Bienvenidas" not in newsletters.joinpath(*SPANISH_PO).read_text(encoding="utf-8")
    clean(page)
    page.locator("textarea[lang=es]").first.fill(original)
    page.locator("input[lang=es]").first.fill("¡Bienvenidas de nuevo, queridas familias!")
    page.locator("input[lang=es]").first.press("Control+Enter")          # approve and next, by keyboard
    page.wait_for_url(re.compile(r"/translations/es/blocks/(?!welcome)"))
    entry = {e.msgctxt: e for e in polib.pofile(str(newsletters.joinpath(*SPANISH_PO)))}["welcome.heading"]
    assert entry.msgstr == "¡Bienvenidas de nuevo, queridas familias!" and not entry.fuzzy
    from compose import cli
    status = CliRunner().invoke(cli, ["translations", "status", str(newsletters / "equity" / SAMPLE)]).output
    assert re.search(r"Spanish \(es\)\s+\d+\s+0\s+0\s+0\s+0\s+100%\s+full", status), status
    frame = page.frame_locator("aside iframe")
    frame.locator("html[lang=es]").wait_for(state="attached")

    refused = page.goto(f"{site}/equity/{SAMPLE}/translations/vi/blocks/welcome")
    assert refused.status == 403
    clean(page)

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site}/equity/{SAMPLE}/translations/ar/blocks/kickoff")     # right to left, on a phone
    opens_at_the_block(page, "kickoff")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{site}/equity/{SAMPLE}/translations/ar/blocks/welcome")     # right to left
    area = page.locator("textarea[lang=ar]").first
    assert area.get_attribute("dir") == "rtl"
    area.fill("مرحبًا بعودتكم! " + area.input_value())
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_text("Saved as a draft: welcome in Arabic").wait_for()
    assert page.frame_locator("aside iframe").locator("html[dir=rtl]").count() == 1
    clean(page)
    page.screenshot(path=str(tmp_path / "review-ar.png"), full_page=False)

    page.goto(f"{site}/equity/translations/chrome/es")
    page.get_by_label("Spanish for “Dear family,”").press("Control+Enter")
    page.get_by_text("Approved: “Dear family,”").wait_for()
    [approved] = polib.pofile(str(newsletters / "library" / "chrome" / "es.po"))      # content, not blocks/
    assert approved.msgid == "Dear family," and approved.tcomment.startswith("approved in the studio by Rosa")
    clean(page)
    page.screenshot(path=str(tmp_path / "review-chrome-es.png"))


def test_machine_drafts_for_vietnamese_then_approved_one_by_one(browser, review_site, newsletters, tmp_path):  # noqa: F811
    site, stub = review_site
    make_stale(newsletters)
    page = signed_in(browser, site, "linh@example.org")
    page.goto(f"{site}/equity/{SAMPLE}/translations")
    page.get_by_role("link", name="Machine drafts for every missing text in Vietnamese (vi)").click()
    page.get_by_text("Characters billed (estimate)").wait_for()
    clean(page)
    assert stub.translate_requests == []
    page.get_by_role("button", name=re.compile(r"Ask DeepL for \d+ drafts")).click()
    page.get_by_text(re.compile(r"\d+ machine drafts by DeepL")).wait_for()
    assert stub.translate_requests
    page.get_by_role("link", name="machine draft: welcome in Vietnamese (vi)").click()
    page.get_by_text("Machine draft by deepl@127.0.0.1").first.wait_for()
    clean(page)
    for _ in range(3):                                   # one by one: approve and next
        heading = page.locator("h1").inner_text()
        page.get_by_role("button", name="Approve and next").click()
        # while the next page loads there may be no h1 for a moment
        page.wait_for_function("h => { const e = document.querySelector('h1'); return e !== null && e.innerText !== h; }",
                               arg=heading)
    from blocks.i18n.status import language_status
    from blocks.loader import load_issue
    status = language_status(load_issue(newsletters / "equity" / SAMPLE), "vi")
    assert status.unit_status["welcome.heading"] == "approved" and status.count("approved") >= 3
