"""In Debian's Chromium (Playwright): a local editor signs in, starts the next issue, edits the
sample in the forms, sees a field error and fixes it, reorders, removes and undoes, sees the preview
change, saves (check passes, comments kept), and a second browser's stale save gets the conflict
view; axe-core finds nothing serious on any page at 1024 and 1440 px. Screenshots go to tmp_path."""
from __future__ import annotations

import pytest

from blocks.loader import load_issue
from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (fixture)
from tests.studio.conftest import PASSWORD, SAMPLE, served


@pytest.fixture
def site(app):
    with served(app) as url:
        yield url


def signed_in(browser, site, email, width=1440):  # noqa: F811
    page = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()  # axe is injected
    page.goto(f"{site}/")
    assert "/sign-in" in page.url
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Your publications").wait_for()
    return page


def no_violations(page, width):
    for size in (width, 1024):
        page.set_viewport_size({"width": size, "height": 900})
        assert serious_violations(page) == [], (page.url, size)


def test_write_an_issue_in_the_browser(browser, site, newsletters, tmp_path):  # noqa: F811
    anonymous = browser.new_context(bypass_csp=True).new_page()
    anonymous.goto(f"{site}/sign-in")
    assert serious_violations(anonymous) == []
    anonymous.close()
    page = signed_in(browser, site, "eve@example.org")
    no_violations(page, 1440)
    page.screenshot(path=str(tmp_path / "home-1440.png"))

    page.get_by_role("link", name="New issue from the previous one").click()
    page.get_by_label("Folder name").fill("2021-11-nov")
    page.get_by_role("button", name="Start the issue").click()
    page.get_by_role("heading", name="equity / 2021-11-nov").wait_for()
    assert page.get_by_text("To do (").is_visible()
    page.get_by_label("Period").fill("November 2021")
    page.locator("#summary").get_by_text("period").first.wait_for(state="detached")

    page.goto(f"{site}/equity/{SAMPLE}/")
    no_violations(page, 1440)
    frame = page.frame_locator("iframe[data-lang=en]")
    frame.get_by_text("Welcome Back!").first.wait_for()
    page.locator("#f-blocks-3-end").fill("2021-09-29T17:00")
    page.locator("#p-blocks-3-end").get_by_text("before it starts").wait_for()
    page.locator("#f-blocks-3-end").fill("2021-09-29T20:00")
    page.locator("#p-blocks-3-end").get_by_text("before it starts").wait_for(state="detached")

    page.get_by_label("Heading (required)", exact=True).first.fill("Welcome to November!")
    frame.get_by_text("Welcome to November!").first.wait_for()          # the preview follows
    page.get_by_role("button", name="Move down: block 1", exact=True).click()
    page.locator("#block-1-title").get_by_text("Welcome to November!").wait_for()
    page.get_by_role("button", name="Remove: block 2", exact=True).click()
    page.get_by_role("button", name="Undo remove").click()
    page.locator("#block-1-title").get_by_text("Welcome to November!").wait_for()
    page.get_by_role("button", name="Move up: block 2", exact=True).click()
    page.locator("#block-0-title").get_by_text("Welcome to November!").wait_for()
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "editor-1440.png"))
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=str(tmp_path / "editor-375.png"))
    page.set_viewport_size({"width": 1440, "height": 900})

    other = signed_in(browser, site, "ada@example.org")                    # a second person, same issue
    other.goto(f"{site}/equity/{SAMPLE}/")
    other.locator("#f-blocks-0-subheading").fill("Theirs")
    other.get_by_role("button", name="Save to issue.yaml").click()           # at once: the edit is still on its way
    other.get_by_text("compose.py check finds no problem").wait_for()
    assert "subheading: Theirs" in (newsletters / "equity" / SAMPLE / "issue.yaml").read_text(encoding="utf-8")
    assert other.locator("#save-state").get_by_text("Same as the saved file").is_visible()

    page.get_by_role("button", name="Save to issue.yaml").click()         # mine is stale now
    page.get_by_role("heading", name="Not saved: someone changed this issue since you opened it").wait_for()
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "conflict-1440.png"), full_page=True)
    page.get_by_role("button", name="Save mine, replacing theirs").click()
    page.get_by_text("compose.py check finds no problem").wait_for()
    path = newsletters / "equity" / SAMPLE / "issue.yaml"
    text = path.read_text(encoding="utf-8")
    assert "heading: Welcome to November!" in text and "end: 2021-09-29T20:00" in text
    assert "# The seed says \"Wed., September 7th\"" in text                 # comments kept
    assert load_issue(path.parent).blocks[0].fields.heading == "Welcome to November!"   # check passes
    page.goto(f"{site}/equity/{SAMPLE}/history")
    assert serious_violations(page) == []


def test_an_editor_of_food_is_refused_equity_in_the_browser(browser, site):  # noqa: F811
    page = signed_in(browser, site, "fred@example.org")
    answer = page.goto(f"{site}/equity/{SAMPLE}/")
    assert answer.status == 403 and page.get_by_role("heading", name="Not yours to open").is_visible()
    assert serious_violations(page) == []
