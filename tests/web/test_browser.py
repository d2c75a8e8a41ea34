"""In real Chromium (Debian's, driven by Playwright): a family opens "View this email in your
browser" from an actual sent .eml, switches language on the web edition, and reads the archive;
at 320 and 1024 px, with axe-core on the archive and on the Arabic (right-to-left) edition."""
from __future__ import annotations

import email
import re
import threading
from email import policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mailer.send.links import LinkSigner
from tests.family_web.test_browser import AXE, browser  # noqa: F401 (fixture: Debian's Chromium)
from tests.web.conftest import AUDIENCES, ISSUE, SIGNER

WIDTHS = [320, 1024]


@pytest.fixture
def live(families, send, newsletters, monkeypatch, tmp_path):
    """The preference center on 127.0.0.1 and the issue sent to the outbox with links pointing at it."""
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app

    server = make_server("127.0.0.1", 0, None)
    base = f"http://127.0.0.1:{server.server_port}"
    server.app = create_app(store=families, signer=LinkSigner(SIGNER.secret, base), webhook_key="",
                            audiences=load_audiences(AUDIENCES), newsletters_dir=newsletters)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NEWSLETTER_BASE_URL", base)
    assert send().exit_code == 0
    yield base, tmp_path / "outbox" / "equity" / ISSUE
    server.shutdown()


def view_in_browser(outbox: Path, address: str) -> str:
    for path in outbox.rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"].addresses[0].addr_spec == address:
            html = message.get_body(("html",)).get_content()
            return re.search(r'<a href="([^"]+\.html)"[^>]*>[^<]*</a>', html).group(1)
    raise KeyError(address)


def violations(page) -> list[str]:
    """Every axe-core finding, of any impact."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run()).violations.map(v => v.impact + ' ' + v.id + ': ' + v.help)")


def fits(page, width: int) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_an_arabic_family_opens_the_web_edition_and_switches_language(browser, live, tmp_path, width):  # noqa: F811
    base, outbox = live
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)   # for axe's script
    page = context.new_page()
    url = view_in_browser(outbox, "omar@example.org")
    assert url == f"{base}/equity/{ISSUE}/ar.html"
    page.goto(url)
    assert page.get_attribute("html", "lang") == "ar" and page.get_attribute("html", "dir") == "rtl"
    switcher = page.get_by_role("navigation")
    assert switcher.get_by_role("link").all_inner_texts()[0].startswith("العربية")       # theirs first
    assert violations(page) == [] and fits(page, width)
    page.screenshot(path=str(tmp_path / f"edition-ar-{width}.png"), full_page=True)

    switcher.get_by_role("link", name=re.compile("^Español")).click()
    page.wait_for_url(re.compile(r"/es\.html\?from=ar$"))
    assert page.get_attribute("html", "lang") == "es" and page.get_attribute("html", "dir") == "ltr"
    assert "Información, anuncios y oportunidades" in page.inner_text("main")
    assert page.get_by_role("navigation").get_by_role("link").all_inner_texts()[0].startswith("العربية")
    assert violations(page) == [] and fits(page, width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang, direction", [("en", "ltr"), ("ar", "rtl")])
def test_the_archive_is_accessible_and_fits(browser, live, tmp_path, width, lang, direction):  # noqa: F811
    base, _outbox = live
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base}/equity/?lang={lang}")
    assert page.get_attribute("html", "lang") == lang and page.get_attribute("html", "dir") == direction
    assert violations(page) == [] and fits(page, width)
    page.screenshot(path=str(tmp_path / f"archive-{lang}-{width}.png"), full_page=True)
    page.get_by_role("heading", level=2).get_by_role("link").click()                 # the issue, in that language
    page.wait_for_url(re.compile(rf"/{lang}\.html$"))
    assert page.get_attribute("html", "dir") == direction
    page.go_back()
    page.goto(f"{base}/equity/{ISSUE}/?lang={lang}")
    assert violations(page) == [] and fits(page, width)
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_static_copy_switches_language_by_its_files(browser, live, run, newsletters, static_host, width):  # noqa: F811
    """`publish --to` on a plain static host (which ignores ?lang=): the archive's switcher, the issue and back."""
    folder, host = static_host
    assert run("publish", newsletters / "equity" / ISSUE, "--to", folder / "equity").exit_code == 0
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{host}/equity/")
    assert page.get_attribute("html", "lang") == "en" and page.get_attribute("html", "dir") == "ltr"
    page.get_by_role("navigation").get_by_role("link", name="العربية").click()
    page.wait_for_url(re.compile(r"/equity/index\.ar\.html$"))
    assert page.get_attribute("html", "lang") == "ar" and page.get_attribute("html", "dir") == "rtl"
    assert violations(page) == [] and fits(page, width)
    page.get_by_role("heading", level=2).get_by_role("link").click()                 # the Arabic edition
    page.wait_for_url(re.compile(rf"/{ISSUE}/ar\.html$"))
    page.get_by_role("banner").get_by_role("link").nth(1).click()                    # "All languages": in Arabic
    page.wait_for_url(re.compile(rf"/{ISSUE}/index\.ar\.html$"))
    assert page.get_attribute("html", "dir") == "rtl" and violations(page) == [] and fits(page, width)
    page.get_by_role("main").get_by_role("link").last.click()                        # "All issues": in Arabic
    page.wait_for_url(re.compile(r"/equity/index\.ar\.html$"))
    page.get_by_role("navigation").get_by_role("link", name="Español").click()
    page.wait_for_url(re.compile(r"/equity/index\.es\.html$"))
    assert page.get_attribute("html", "lang") == "es" and "Números anteriores" in page.inner_text("main")
    context.close()
