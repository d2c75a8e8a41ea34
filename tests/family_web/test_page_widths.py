"""In real Chromium: every page a family's browser reaches fits a 320 px phone in every chrome
language (no sideways scrolling: scrollWidth <= innerWidth), at 320 and 375 px; publication names
that mix directions keep their brackets with their text. Screenshots at 320 and 1440 px of en, es,
ar and zh_Hans are left in the test's tmp folder (pytest --basetemp=DIR keeps them) to look at."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from blocks.i18n import chrome
from mailer.send.links import LinkSigner
from tests.family_web.test_browser import ROOT, bare_browser, browser  # noqa: F401 (fixtures)

ISSUE = "equity/2021-09-sept-oct"
LANGUAGES = ["en"] + chrome.available()
LOOKED_AT = ("en", "es", "ar", "zh_Hans")
# the innermost elements reaching past the window's right or left edge, to say what is too wide
STICKING_OUT = """(() => [...document.body.querySelectorAll('*')].filter(e => {
    const box = e.getBoundingClientRect();
    return (box.right > innerWidth + 0.5 || box.left < -0.5) && ![...e.children].some(c => {
        const inner = c.getBoundingClientRect(); return inner.right > innerWidth + 0.5 || inner.left < -0.5; });
}).slice(0, 3).map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 60)).join('; '))()"""


@pytest.fixture(scope="module")
def center(tmp_path_factory):
    """The preference center on 127.0.0.1 over a store with one family per chrome language and the
    sample issue's web edition published in each: (base URL, {lang: family id}, screenshot folder)."""
    from blocks.i18n.localize import localize
    from blocks.loader import load_issue
    from blocks.render import render_issue
    from mailer.audiences.audiences_file import load_audiences
    from mailer.publish import published_editions as stored
    from mailer.store.subscribers import Store, add_subscriber
    from family_web.web_app import create_app
    from tests.conftest import SAMPLE
    from tests.family_web.conftest import AUDIENCES

    folder = tmp_path_factory.mktemp("widths")
    server = make_server("127.0.0.1", 0, None)
    base = f"http://127.0.0.1:{server.server_port}"
    signer = LinkSigner("width-test-secret-0123456789abcdef", base)
    with Store.open(f"sqlite:///{folder / 'newsletter.db'}") as store:
        with store.write() as connection:
            ids = {lang: add_subscriber(connection, f"family-{lang.lower()}@example.org", status="subscribed",
                                        by="test", name="Ana", language=lang) for lang in LANGUAGES}
        issue = load_issue(SAMPLE)
        web_url = f"{base}/{ISSUE}"
        rendered = {lang: stored.Rendered(render_issue(localize(issue, lang), lang, web_url=web_url),
                                          stored.edition_kind(issue, lang), issue.title, issue.period)
                    for lang in LANGUAGES}
        stored.publish(store, "equity", issue, web_url, rendered, set(LANGUAGES))
        server.app = create_app(store=store, signer=signer, audiences=load_audiences(AUDIENCES), webhook_key="",
                                newsletters_dir=ROOT / "newsletters")
        threading.Thread(target=server.serve_forever, daemon=True).start()
        yield base, signer, ids, folder
        server.shutdown()


def pages(base: str, signer: LinkSigner, family: int, lang: str) -> dict[str, str]:
    from mailer.publish.naming import tag
    return {"unsubscribe": signer.url("u", family, ISSUE),
            "preferences": signer.url("p", family, ISSUE),
            "gone": signer.url("u", family, "gone/2021-09-sept-oct"),
            "edition": f"{base}/{ISSUE}/{tag(lang)}.html",
            "issue": f"{base}/{ISSUE}/index.{tag(lang)}.html",
            "archive": f"{base}/equity/index.{tag(lang)}.html"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_family_page_fits_a_phone_in_every_language(bare_browser, center, lang):  # noqa: F811
    base, signer, ids, folder = center
    page = bare_browser.new_page(viewport={"width": 320, "height": 700})
    too_wide = []
    for name, url in pages(base, signer, ids[lang], lang).items():
        page.goto(url)
        assert page.evaluate("document.documentElement.lang").replace("-", "_") == lang, (name, lang)
        for width in (320, 375):
            page.set_viewport_size({"width": width, "height": 700})
            measured = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
            if measured[0] > measured[1]:
                too_wide.append(f"{name} at {width} px: {measured[0]} px wide ({page.evaluate(STICKING_OUT)})")
        if lang in LOOKED_AT:
            for width in (320, 1440):
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(folder / f"{name}-{lang}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 320, "height": 700})
    page.close()
    assert too_wide == []


def test_a_name_mixing_directions_keeps_its_brackets_with_its_text(bare_browser, center):  # noqa: F811
    """On the Arabic preference page "مكتب تعزيز الإنصاف (Office of Equity Advancement)", wrapped at
    320 px, reads with "(Office" and "Advancement)" in order: the English run is isolated."""
    base, signer, ids, _ = center
    page = bare_browser.new_page(viewport={"width": 320, "height": 700})
    page.goto(signer.url("p", ids["ar"], ISSUE))
    names = page.locator("fieldset label").filter(has_text="Office of Equity")
    assert names.count() >= 1
    runs = page.evaluate("""() => [...document.querySelectorAll('label, header p, h1')]
        .filter(e => e.textContent.includes('(Office of Equity'))
        .map(e => [...e.querySelectorAll('bdi, [dir=ltr]')].some(i => i.textContent.includes('(Office of Equity Advancement)')))""")
    assert runs and all(runs), runs
    page.close()
