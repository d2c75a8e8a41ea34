"""In Debian's Chromium (Playwright): an editor marks the issue ready, a sender approves it, the
editor changes it (approval void, no send button), it is marked ready and approved again; the
sender sends the proofs, confirms "Send to 50 families" by typing 50; the worker (in the test, on the test's
clock) runs it and the progress page, fed by server-sent events, reaches 100%; the report lists
every language and school, says there is no open tracking, and shows a bounce from the webhook
without a reload. axe-core finds nothing serious on the send, progress and report pages.
Screenshots go to tmp_path."""
from __future__ import annotations

import pytest

from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (fixture)
from tests.studio.conftest import SAMPLE, served
from tests.studio.test_browser import signed_in
from tests.studio.test_send_pages import bounce_one, sending_app  # noqa: F401 (fixture)


@pytest.fixture
def send_site(sending_app):  # noqa: F811
    with served(sending_app) as url:
        yield url


def test_approve_test_and_send_in_the_browser(browser, send_site, sending_app, tmp_path, clock):  # noqa: F811
    from workflows import schedule
    store, core = sending_app.config["studio"].store, sending_app.config["core"]
    editor = signed_in(browser, send_site, "eve@example.org")
    editor.goto(f"{send_site}/equity/{SAMPLE}/send")
    editor.get_by_role("button", name="Mark ready").click()
    editor.get_by_text("Done: ready.").wait_for()

    page = signed_in(browser, send_site, "sam@example.org")
    page.goto(f"{send_site}/equity/{SAMPLE}/send")
    page.get_by_role("button", name="Approve this content").click()
    page.get_by_text("Approved by sam@example.org").wait_for()

    editor.goto(f"{send_site}/equity/{SAMPLE}/")                          # a change after the approval
    editor.locator("#f-blocks-0-subheading").fill("A late change")
    editor.get_by_role("button", name="Save to issue.yaml").click()
    editor.get_by_text("compose.py check finds no problem").wait_for()
    page.reload()
    assert page.get_by_text("Approval void.", exact=True).is_visible()
    assert page.get_by_role("button", name="Send to 50 families").count() == 0
    editor.goto(f"{send_site}/equity/{SAMPLE}/send")
    editor.get_by_role("button", name="Mark ready").click()
    editor.get_by_text("Done: ready.").wait_for()
    page.reload()
    page.get_by_role("button", name="Approve this content").click()
    page.get_by_text("Approved by sam@example.org").wait_for()
    page.get_by_label("Also to (optional, comma-separated)").fill("pat@example.org")
    page.get_by_role("button", name="Send the proofs").click()
    page.locator("#proofs").wait_for()
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "send-page.png"), full_page=True)

    page.get_by_label("Send even inside the quiet hours").check()
    page.get_by_label("Type 50 to confirm").fill("50")
    page.get_by_role("button", name="Send to 50 families").click()
    page.wait_for_url(f"**/equity/{SAMPLE}/progress")
    [done] = schedule.run_due(core, store=store, clock=clock)              # the worker, on the test's clock
    assert done.state == "done"
    page.get_by_text("done: 50 of 50 (100%)").wait_for()
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "send-progress.png"), full_page=True)

    page.goto(f"{send_site}/equity/{SAMPLE}/report")
    assert page.get_by_text("No open tracking").is_visible()
    bounced = page.locator("#reach tr.subtotal td:nth-of-type(4)")
    assert bounced.all_inner_texts() and set(bounced.all_inner_texts()) == {"0"}
    bounce_one(store)                                                       # the webhook, while the page is open
    page.locator("#reach tr.subtotal td:nth-of-type(4)", has_text="1").wait_for()
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "send-report.png"), full_page=True)
