"""In Debian's Chromium (Playwright): a sender finds a family by name, unsubscribes it on a phone
call and opts it in again with the source, then uploads a roster, reads the dry run's report
(unknown school, merged and rejected rows) and imports it. axe-core finds nothing serious on the
search, family and roster pages. Screenshots go to tmp_path."""
from __future__ import annotations

import pytest

from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (fixture)
from tests.studio.conftest import served
from tests.studio.test_browser import signed_in
from tests.studio.test_family_pages import ROSTER, family_app  # noqa: F401 (fixture)


@pytest.fixture
def family_site(family_app):  # noqa: F811
    with served(family_app) as url:
        yield url


def test_find_unsubscribe_opt_in_and_import_a_roster_in_the_browser(browser, family_site, family_app,  # noqa: F811
                                                                      tmp_path):
    from workflows import family_records
    core = family_app.config["core"]
    page = signed_in(browser, family_site, "sam@example.org")
    page.get_by_role("link", name="Families").click()
    page.get_by_label("Email address or name").fill("Wei Patel")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name="wei.patel2@example.net").wait_for()
    assert serious_violations(page) == []
    page.get_by_role("link", name="wei.patel2@example.net").click()
    page.get_by_role("heading", name="wei.patel2@example.net").wait_for()
    assert serious_violations(page) == []

    page.get_by_label("From").select_option("")
    page.get_by_label("Reason").fill("phone call, 2021-10-20")
    page.get_by_role("button", name="Unsubscribe").click()
    page.get_by_text("Unsubscribed.").wait_for()
    assert page.locator("#status").inner_text() == "unsubscribed"
    page.get_by_label("How the family asked").fill("phone call to the office, 2021-10-21")
    page.get_by_role("button", name="Opt in again").click()
    page.get_by_text("Opted in again.").wait_for()
    assert page.locator("#status").inner_text() == "subscribed"
    assert page.get_by_role("cell", name="phone call to the office, 2021-10-21").is_visible()
    page.screenshot(path=str(tmp_path / "family.png"), full_page=True)

    roster = tmp_path / "new-families.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    page.goto(f"{family_site}/families/roster")
    page.get_by_label("Roster (.csv, .txt or .xlsx").set_input_files(str(roster))
    page.get_by_label("Import the good rows even if some rows are bad").check()
    page.get_by_role("button", name="Check the roster (dry run)").click()
    page.get_by_role("heading", name="Unknown schools (1)").wait_for()
    assert page.get_by_role("heading", name="Merged rows").is_visible()
    assert page.get_by_role("heading", name="Rejected rows (1)").is_visible()
    assert family_records.find(core, "new.one") == []
    assert serious_violations(page) == []
    page.screenshot(path=str(tmp_path / "roster-dry-run.png"), full_page=True)
    page.get_by_label("I have read the report").check()
    page.get_by_role("button", name="Import for real").click()
    page.get_by_text("Imported into").wait_for()
    assert [f.email for f in family_records.find(core, "new.")] == ["new.one@example.org", "new.two@example.org"]
