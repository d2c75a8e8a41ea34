"""Accessibility of the studio in Debian's Chromium: the core editing flow done with the keyboard
alone (Tab, Shift+Tab, typing, Enter, arrow keys), every page usable at 768 px without scrolling
sideways, axe-clean at 768, 1024 and 1440 px (the new-issue and set-password pages too), and
screenshots of the editor at 375, 768, 1024 and 1440 px (in tmp_path, to look at)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (fixture)
from tests.studio.conftest import SAMPLE, add_staff
from tests.studio.test_browser import signed_in, site  # noqa: F401 (fixture)

WIDTHS = (375, 768, 1024, 1440)


def focused(page) -> str:
    return page.evaluate("document.activeElement && (document.activeElement.id || document.activeElement.tagName)")


def tab_to(page, element_id: str, back: bool = False, most: int = 400) -> None:
    """Press Tab (or Shift+Tab) until the element with this id has the focus, as a person would."""
    for _ in range(most):
        if focused(page) == element_id:
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{element_id} never got the focus with {'Shift+' if back else ''}Tab")


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_the_core_editing_flow_by_keyboard_only(browser, site):  # noqa: F811
    page = browser.new_context(viewport={"width": 1024, "height": 900}).new_page()
    page.goto(f"{site}/sign-in")
    tab_to(page, "email")
    page.keyboard.type("eve@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("violet tractor harbour 42")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Your publications").wait_for()
    for _ in range(60):                                   # Tab to the sample issue's link, then Enter
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == f"/equity/{SAMPLE}/":
            break
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"equity / {SAMPLE}").wait_for()

    tab_to(page, "f-blocks-0-heading")                    # a field: select its text, type, leave it
    page.keyboard.press("Control+A")
    page.keyboard.type("Welcome, by keyboard!")
    page.keyboard.press("Tab")
    page.frame_locator("iframe[data-lang=en]").get_by_text("Welcome, by keyboard!").first.wait_for()

    tab_to(page, "down-0", back=True)                               # move the block down: the focus follows it
    page.keyboard.press("Enter")
    page.locator("#block-1-title").get_by_text("Welcome, by keyboard!").wait_for()
    expect(page.locator("#down-1")).to_be_focused()

    tab_to(page, "remove-1")                               # remove it: the focus goes to Undo
    page.keyboard.press("Enter")
    expect(page.locator("#undo")).to_be_focused()
    assert page.locator("#block-list").get_by_text("Welcome, by keyboard!").count() == 0
    page.keyboard.press("Enter")                           # undo: the focus goes to the block back
    page.locator("#block-1-title").get_by_text("Welcome, by keyboard!").wait_for()
    expect(page.locator("#block-1")).to_be_focused()

    tab_to(page, "add-0", back=True)                       # add a block at the top: choose a type with arrows
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#block-0")).to_be_focused()
    chosen = page.locator("#block-0-title").inner_text()
    assert chosen.startswith("1. ")
    tab_to(page, "remove-0")
    page.keyboard.press("Enter")
    expect(page.locator("#undo")).to_be_focused()

    tab_to(page, "f-blocks-1-body")                       # Markdown: the Bold button works by keyboard
    page.keyboard.press("Shift+Tab")                      # ... List, Link, Italic, Bold
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.md") == "bold"
    page.keyboard.press("Enter")
    assert "**bold text**" in page.locator("#f-blocks-1-body").input_value()

    tab_to(page, "save", back=True)                        # save
    page.keyboard.press("Enter")
    page.get_by_text("Saved newsletters/equity/").wait_for()


@pytest.mark.parametrize("path", ["/", f"/equity/{SAMPLE}/", f"/equity/{SAMPLE}/history", "/equity/new"])
def test_every_page_is_usable_and_axe_clean_at_768_px(browser, site, path, tmp_path):  # noqa: F811
    page = signed_in(browser, site, "eve@example.org", width=768)
    page.goto(f"{site}{path}")
    for width in (768, 1024, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert no_sideways_scroll(page), (path, width)
        assert serious_violations(page) == [], (path, width)


def test_the_sign_in_and_set_password_pages_at_768_px(browser, site, app, clock):  # noqa: F811
    token = add_staff(app.config["studio"].store, clock, "new@example.org", password=None)
    page = browser.new_context(viewport={"width": 768, "height": 900}, bypass_csp=True).new_page()
    for path in ("/sign-in", f"/set-password/{token}", "/set-password/not-a-token"):
        page.goto(f"{site}{path}")
        for width in (768, 1024, 1440):
            page.set_viewport_size({"width": width, "height": 900})
            assert no_sideways_scroll(page), (path, width)
            assert serious_violations(page) == [], (path, width)


def test_screenshots_of_the_editor_at_four_widths(browser, site, tmp_path):  # noqa: F811
    page = signed_in(browser, site, "eve@example.org")
    page.goto(f"{site}/equity/{SAMPLE}/")
    page.frame_locator("iframe[data-lang=en]").get_by_text("Welcome Back!").first.wait_for()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert width < 768 or no_sideways_scroll(page), width
        page.screenshot(path=str(tmp_path / f"editor-{width}.png"))
        page.locator("#block-0").scroll_into_view_if_needed()
        page.screenshot(path=str(tmp_path / f"editor-block-{width}.png"))
        page.evaluate("() => window.scrollTo(0, 0)")
    page.goto(f"{site}/")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(tmp_path / f"home-{width}.png"))
