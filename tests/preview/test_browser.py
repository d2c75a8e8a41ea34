"""The preview as staff use it, in real Chromium (Debian's, driven by Playwright, as the preference
center's browser tests): `compose.py preview` started as a command, the page open, the YAML edited
on disk. Every wait is for something to appear on the page; nothing sleeps."""
from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading

import pytest
from click.testing import CliRunner

from tests.conftest import ROOT
from tests.family_web.test_browser import AXE, browser  # noqa: F401 (the fixture)
from tests.preview.conftest import KICKOFF, edit

TITLE = "One Community for Equity Virtual Kick Off"
WAIT_MS = 15_000


@pytest.fixture
def served(browser, newsletters):  # noqa: F811
    """`python compose.py preview newsletters/equity/2021-09-sept-oct --port 0`, run in the folder above
    newsletters/ (as staff run it from the repository), and a page open on it at 1024 px."""
    errors = newsletters.parent / "preview-stderr.txt"
    with errors.open("w") as stderr:
        command = subprocess.Popen([sys.executable, str(ROOT / "compose.py"), "preview", "newsletters/equity/2021-09-sept-oct",
                                    "--port", "0"], cwd=newsletters.parent, stdout=subprocess.PIPE, stderr=stderr,
                                   text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # (SIGINT as in a terminal even when pytest runs in the background of a script, which
    # ignores it for its children: else the Ctrl-C below would never reach the preview)
    try:
        for line in command.stdout:
            if found := re.search(r"Preview at (http://127\.0\.0\.1:\d+/)", line):
                break
        else:
            pytest.fail(f"compose.py preview did not start: {errors.read_text()}")
        threading.Thread(target=command.stdout.read, daemon=True).start()     # its log, so it never blocks
        page = browser.new_page(viewport={"width": 1024, "height": 800})
        page.set_default_timeout(WAIT_MS)
        page.goto(found.group(1))
        yield page
        page.close()
    finally:
        command.send_signal(signal.SIGINT)                 # Ctrl-C, as staff stop it
        assert command.wait(timeout=30) == 0


def violations(page) -> list[str]:
    """Every axe-core violation on the page, whatever its impact (the emails in the frames are
    the product, checked by the golden tests; this is the staff's page around them)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("async () => (await axe.run()).violations.map(v => v.id + ': ' + v.help)")


def heading(page, lang: str, name: str):
    return page.frame_locator(f"#frame-{lang}").get_by_role("heading", name=name, exact=True)


def test_an_edited_title_shows_in_every_language_without_a_reload(served, issue, tmp_path):
    page = served
    for lang in ("en", "es"):
        heading(page, lang, TITLE if lang == "en" else "Lanzamiento virtual de One Community for Equity").wait_for()
    assert violations(page) == []
    page.evaluate("window.sameDocument = true")
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off at the Town Hall")
    for lang in ("en", "es", "ar"):                       # es and ar: stale now, so shown in English
        heading(page, lang, "Kick Off at the Town Hall").wait_for()
    assert page.evaluate("window.sameDocument") is True  # the page followed; nobody reloaded it
    label = page.frame_locator("#frame-es").locator('[data-block="kickoff"]')
    assert re.search(r"kickoff · event\s*stale, shown in English", label.inner_text())
    assert page.frame_locator("#frame-ar").locator("html").get_attribute("dir") == "rtl"
    assert "stale translations: kickoff" in page.locator("#warnings").inner_text()
    page.screenshot(path=str(tmp_path / "edited.png"), full_page=True)


def test_a_block_added_then_removed_without_a_reload(served, issue):
    page = served
    page.frame_locator("#frame-ar").locator('[data-block="welcome"]').wait_for()
    page.evaluate("window.sameDocument = true")
    original = (issue / "issue.yaml").read_text(encoding="utf-8")
    note = "  - type: text\n    id: note\n    heading: A note for families\n    body: School starts at 8.\n"
    edit(issue / "issue.yaml", "blocks:\n", "blocks:\n" + note)
    for lang in ("en", "es", "ar"):
        heading(page, lang, "A note for families").wait_for()
    labels = page.frame_locator("#frame-es").locator("[data-block]")
    assert labels.first.get_attribute("data-block") == "note" and labels.nth(1).get_attribute("data-block") == "welcome"
    (issue / "issue.yaml").write_text(original, encoding="utf-8")                  # removed again
    for lang in ("en", "es", "ar"):
        heading(page, lang, "A note for families").wait_for(state="detached")
    assert page.evaluate("window.sameDocument") is True
    assert page.frame_locator("#frame-en").locator("[data-block]").count() == 13


def test_a_broken_date_shows_the_problem_over_the_last_good_preview(served, issue, tmp_path):
    from compose import cli
    page = served
    heading(page, "en", TITLE).wait_for()
    edit(issue / "issue.yaml", "start: 2021-09-29T18:00", "start: 2021-09-31T18:00")
    banner = page.get_by_role("alert")
    banner.get_by_text("is not a valid date").wait_for()
    checked = CliRunner().invoke(cli, ["check", "newsletters/equity/2021-09-sept-oct"])   # what check prints, word for word
    problem = checked.output.split("\n\n")[0]
    assert re.match(r"newsletters/equity/2021-09-sept-oct/issue\.yaml:\d+: blocks\[3\]\.start: '2021-09-31T18:00' is not a "
                    r"valid date", problem)
    assert banner.locator("pre").inner_text() == problem
    assert "the preview below is the last good version" in banner.inner_text()
    heading(page, "en", TITLE).wait_for()                  # still there
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "problem.png"))
    edit(issue / "issue.yaml", "start: 2021-09-31T18:00", "start: 2021-09-29T18:00")
    banner.wait_for(state="detached")
    edit(issue / "issue.yaml", "type: event\n    id: kickoff", "type: evnt\n    id: kickoff")
    typo = page.get_by_role("alert").locator("pre")
    typo.wait_for()
    assert re.fullmatch(r"newsletters/equity/2021-09-sept-oct/issue\.yaml:\d+: blocks\[3\]\.type: unknown block type 'evnt'"
                        r"\n    -> did you mean 'event'\?", typo.inner_text())


def test_languages_widths_and_the_text_part_by_keyboard(served, tmp_path):
    page = served
    page.frame_locator("#frame-ar").locator('[data-block="welcome"]').wait_for()
    assert page.locator("#frame-ar").bounding_box()["width"] == 377           # 375 px and its border
    page.get_by_role("checkbox", name="English").uncheck()
    page.get_by_role("checkbox", name="Spanish (español)").uncheck()
    page.get_by_role("radio", name="Desktop (640 px)").check()
    assert page.locator("#panel-en").is_hidden() and page.locator("#panel-es").is_hidden()
    assert page.locator("#frame-ar").bounding_box()["width"] == 642
    assert "lang=ar&" in page.url and "lang=en&" not in page.url and "lang=es&" not in page.url
    assert page.url.endswith("width=desktop")
    page.reload()                                                              # the choice is in the address
    assert page.locator("#panel-en").is_hidden() and page.locator("#frame-ar").bounding_box()["width"] == 642
    page.locator("#panel-ar summary").click()
    page.locator("#blocks-ar").get_by_text("missing, shown in English").first.wait_for()
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "arabic-desktop.png"))
    text_button = page.locator("#panel-ar").get_by_role("button", name="Plain text")
    for _ in range(80):                                                        # Tab to it, as a keyboard user
        page.keyboard.press("Tab")
        if text_button.evaluate("button => button === document.activeElement"):
            break
    else:
        pytest.fail("the Plain text button cannot be reached with Tab")
    page.keyboard.press("Enter")
    assert text_button.get_attribute("aria-pressed") == "true"
    text = page.frame_locator("#frame-ar").locator("pre")
    text.get_by_text("https://www.whps.org/equitypolicy").first.wait_for()
    assert page.frame_locator("#frame-ar").locator("html").get_attribute("dir") == "rtl"
    assert page.locator("#frame-ar").get_attribute("title") == "Arabic email, plain-text part, desktop width"
    page.screenshot(path=str(tmp_path / "arabic-text.png"))


def test_an_edited_subject_shows_in_the_inbox_line_and_the_frames_in_place(served, issue):
    page = served
    heading(page, "en", TITLE).wait_for()
    page.evaluate("window.sameDocument = true")
    for lang in ("en", "es", "ar"):                       # a mark in each frame's document: gone if it loads again
        page.locator(f"#frame-{lang}").evaluate("frame => { frame.contentWindow.sameFrame = true; }")
    edit(issue / "issue.yaml", 'subject: "Welcome back! Equity events and family resources - Sept/Oct 2021"',
         'subject: "Back to school: equity events"')
    for lang in ("en", "es", "ar"):                       # es and ar: stale now, so shown in English
        page.locator(f"#head-{lang} .subject").get_by_text("Back to school: equity events", exact=True).wait_for()
        page.wait_for_function(f"document.getElementById('frame-{lang}').contentDocument.title === "
                               "'Back to school: equity events'")
        assert page.locator(f"#frame-{lang}").evaluate("frame => frame.contentWindow.sameFrame") is True
    assert page.evaluate("window.sameDocument") is True


def test_a_language_not_shown_is_current_when_it_is_shown(served, issue):
    page = served
    page.goto(page.url.split("?")[0] + "?lang=en&lang=es")  # Arabic not shown: the server renders it after the others
    heading(page, "es", "Lanzamiento virtual de One Community for Equity").wait_for()
    assert page.locator("#panel-ar").is_hidden()
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off at the Town Hall")
    edit(issue / "issue.yaml", "We are thrilled to welcome", "We are so glad to welcome")   # translated in Arabic
    for lang in ("en", "es"):
        heading(page, lang, "Kick Off at the Town Hall").wait_for()
    page.get_by_role("checkbox", name="Arabic").check()
    assert page.locator("#panel-ar").is_visible()
    heading(page, "ar", "Kick Off at the Town Hall").wait_for()
    arabic = page.frame_locator("#frame-ar")
    arabic.get_by_text("We are so glad to welcome").wait_for()           # welcome: stale now, shown in English
    assert "We are thrilled" not in arabic.locator("body").inner_text()
    label = arabic.locator('[data-block="kickoff"]').inner_text()
    assert re.search(r"kickoff · event\s*stale, shown in English", label)
    assert "Kick Off at the Town Hall" in arabic.locator(".chrome-notice").inner_text()   # the note at the top
    page.reload()                                          # and as a fresh page shows it
    heading(page, "ar", "Kick Off at the Town Hall").wait_for()
