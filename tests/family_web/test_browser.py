"""In real Chromium (Debian's, driven by Playwright): a family opens the unsubscribe link of an
actual sent .eml, confirms, then changes language on the preference page; in English and in
Arabic, at phone width, with an axe-core accessibility check of every page."""
from __future__ import annotations

import email
import os
import threading
from email import policy
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from mailer.send.links import LinkSigner
from tests.family_web.conftest import follows

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return "Debian's chromium is not installed (apt-get install chromium)"
    if not AXE.exists():
        return "axe-core is not installed (npm ci --prefix .ci/node)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -c constraints.txt -e \".[test,postgres]\")"
    return None


def _chromium(reason: str | None):
    """Debian's Chromium through Playwright, or skip (fail under CI) naming what is missing."""
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": .ci/run installs it")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser():
    yield from _chromium(_missing())


@pytest.fixture
def site(families, tmp_path):
    """The preference center on 127.0.0.1, and the issue sent to the outbox with links pointing at it."""
    from blocks.loader import load_issue
    from mailer.audiences.audiences_file import load_audiences
    from mailer.backends.outbox import OutboxBackend
    from mailer.send.personalize import Personalizer
    from mailer.send.sender import Sender
    from family_web.web_app import create_app
    from tests.conftest import SAMPLE
    from tests.family_web.conftest import AUDIENCES

    server = make_server("127.0.0.1", 0, None)
    base = f"http://127.0.0.1:{server.server_port}"
    signer = LinkSigner("browser-test-secret-0123456789", base)
    newsletters = ROOT / "newsletters"
    server.app = create_app(store=families, signer=signer, audiences=load_audiences(AUDIENCES), webhook_key="", newsletters_dir=newsletters)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issue = load_issue(SAMPLE)
    Sender(issue, families, OutboxBackend(tmp_path, issue.key), Personalizer(issue.key, signer, "example.org", base),
           segment_name="all-families", web_url=base).run(None)
    yield tmp_path / issue.key
    server.shutdown()


def unsubscribe_url(outbox: Path, address: str) -> str:
    for path in outbox.rglob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"].addresses[0].addr_spec == address:
            return message["List-Unsubscribe"].strip("<>")
    raise KeyError(address)


def serious_violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => (await axe.run()).violations
        .filter(v => ['serious', 'critical'].includes(v.impact)).map(v => v.id + ': ' + v.help)""")


@pytest.mark.parametrize("address, lang, direction, confirm, unsubscribed, new_lang, saved", [
    ("joe@example.org", "en", "ltr", "Yes, unsubscribe me", "You are unsubscribed", "es",
     "Sus preferencias se guardaron."),
    ("omar@example.org", "ar", "rtl", "نعم، ألغِ اشتراكي", "تم إلغاء اشتراكك", "en", "Your choices are saved."),
])
def test_unsubscribe_then_change_language(browser, site, families, tmp_path, address, lang, direction, confirm,
                                          unsubscribed, new_lang, saved):
    page = browser.new_page(viewport={"width": 375, "height": 800}, bypass_csp=True)   # for axe's script
    page.goto(unsubscribe_url(site, address))
    assert page.get_attribute("html", "lang") == lang and page.get_attribute("html", "dir") == direction
    assert families.get(address).status == "subscribed"              # opening the link changes nothing
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / f"unsubscribe-{lang}.png"), full_page=True)

    page.get_by_role("button", name=confirm).click()
    page.get_by_role("heading", name=unsubscribed).wait_for()
    assert not follows(families, address) and families.get(address).status == "subscribed"   # this publication
    assert serious_violations(page) == []

    page.get_by_role("link").last.click()                             # "Changed your mind? ..." -> preferences
    page.locator("select#language").wait_for()
    assert serious_violations(page) == []
    page.select_option("select#language", new_lang)
    page.locator("button[value=save]").click()
    page.get_by_text(saved).wait_for()
    assert page.get_attribute("html", "lang") == new_lang
    assert families.get(address).language == new_lang
    assert page.evaluate("document.documentElement.scrollWidth") <= 375   # no sideways scrolling on a phone
    page.screenshot(path=str(tmp_path / f"preferences-{lang}.png"), full_page=True)
    page.close()


@pytest.fixture
def demo_center(families):
    """The preference center on 127.0.0.1 in demo mode (a banner on every page): (base URL, signer)."""
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    from tests.family_web.conftest import AUDIENCES

    server = make_server("127.0.0.1", 0, None)
    base = f"http://127.0.0.1:{server.server_port}"
    signer = LinkSigner("browser-test-secret-0123456789", base)
    newsletters = ROOT / "newsletters"
    server.app = create_app(store=families, signer=signer, audiences=load_audiences(AUDIENCES), webhook_key="",
                            newsletters_dir=newsletters, demo=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base, signer
    server.shutdown()


@pytest.mark.parametrize("width", [320, 1024])
@pytest.mark.parametrize("address, status, lang, direction, says", [
    ("ana@example.org", "bounced", "es", "ltr", "pida a la escuela de su hijo o hija que actualice"),
    ("omar@example.org", "complained", "ar", "rtl", "راسل المكتب واطلب إعادة اشتراكك"),
])
def test_suppressed_families_read_why_and_cannot_resubscribe(browser, demo_center, families, tmp_path, width,
                                                            address, status, lang, direction, says):
    base, signer = demo_center
    families.set_status(address, status, by="webhook:sendgrid", reason="test")
    page = browser.new_page(viewport={"width": width, "height": 800}, bypass_csp=True)   # for axe's script
    page.goto(signer.url("p", families.get(address).id, "equity/2021-09-sept-oct"))
    assert page.get_attribute("html", "lang") == lang and page.get_attribute("html", "dir") == direction
    assert says in page.inner_text("main") and page.locator("button").count() == 0
    assert page.locator("aside.demo").is_visible()                       # demo mode says so on every page
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(tmp_path / f"{status}-{lang}-{width}.png"), full_page=True)

    page.evaluate("""() => { const form = document.createElement('form'); form.method = 'post';
        form.innerHTML = '<input name="action" value="resubscribe">'; document.body.append(form); form.submit(); }""")
    page.get_by_role("heading", level=1).wait_for()
    assert families.get(address).status == status
    assert serious_violations(page) == [] and page.evaluate("document.documentElement.scrollWidth") <= width
    page.close()


@pytest.fixture(scope="module")
def bare_browser(request):
    """Chromium without axe-core (for tests that check no accessibility rules): the module's
    `browser` where axe-core is there too (one Playwright per module: a second sync_playwright in
    the same thread refuses to start)."""
    if AXE.exists():
        yield request.getfixturevalue("browser")
        return
    yield from _chromium(next((r for r in (_missing(),) if r and "axe-core" not in r), None))


def test_a_chinese_family_saves_a_topic_and_stays_chinese(bare_browser, demo_center, families):
    """A roster's "Chinese" is stored as zh; the pages are in Simplified Chinese (as the email),
    the menu shows it chosen, and unticking one topic and saving keeps zh."""
    from sqlalchemy import update
    from mailer.store.tables import subscribers
    with families.write() as connection:
        connection.execute(update(subscribers).where(subscribers.c.email == "joe@example.org").values(language="zh"))
    base, signer = demo_center
    page = bare_browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(signer.url("p", families.get("joe@example.org").id, "equity/2021-09-sept-oct"))
    assert page.get_attribute("html", "lang") == "zh-Hans"
    assert page.locator("select#language").input_value() == "zh_Hans"
    page.locator('input[name=topics][value="events"]').uncheck()
    page.get_by_role("button", name="保存我的选择").click()
    page.get_by_text("您的选择已保存").wait_for()
    assert page.get_attribute("html", "lang") == "zh-Hans"
    joe = families.get("joe@example.org")
    assert joe.language == "zh" and "events" not in joe.topics
    page.goto(signer.url("u", joe.id, "equity/2021-09-sept-oct"))
    assert page.get_attribute("html", "lang") == "zh-Hans"
    page.close()
