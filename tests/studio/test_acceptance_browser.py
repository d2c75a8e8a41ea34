"""The acceptance flow, as a new user would do it from the README, in Debian's Chromium: an
administrator adds a local editor with `compose.py staff add`, the editor opens the one-time link,
sets a password, starts the equity office's November 2021 issue from the previous one and fills
every to-do in the browser (intro, an event with date, time and a registration link, the Foodshare
calendar, the mental-health library block added again from the library); `compose.py check`
passes on the saved folder, and the built HTML equals what the same content typed as YAML builds.
The studio runs as `compose.py studio` does, in its own process."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import ROOT
from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (fixture)
from tests.studio.conftest import PASSWORD

ISSUE = "2021-11-nov"
INTRO = ("We hope everyone had a restful October break.\n\nThis month: a family equity forum, free groceries "
         "and support for your family's mental health.")
# Every to-do of the new issue in file order: (the field's key, the TODO text, the value typed)
TODOS = [
    ("period", "TODO: e.g. November 2021", "November 2021"),
    ("subject", "TODO: the email subject line", "Equity events and family resources - November 2021"),
    ("preheader", "TODO: the grey line shown after the subject in the inbox",
     "A family equity forum on Nov 17, Foodshare dates and mental health resources"),
    ("blocks[0].heading", "TODO: the welcome heading", "Welcome to November!"),
    ("blocks[0].subheading", "TODO: a line under it, or delete this line", "News from the Office of Equity Advancement"),
    ("blocks[0].body", "TODO: a few paragraphs for this issue, in Markdown", INTRO),
    ("blocks[3].title", "TODO: the event's title", "Family Equity Forum"),
    ("blocks[3].start", "TODO: date and time, as YYYY-MM-DDTHH:MM (24-hour)", "2021-11-17T18:00"),
    ("blocks[3].end", "TODO: date and time, as YYYY-MM-DDTHH:MM (24-hour)", "2021-11-17T19:30"),
    ("blocks[3].body", "TODO: what it is and who it is for, in Markdown",
     "An evening for families to share ideas with the **Office of Equity Advancement**."),
    ("blocks[3].registration", "TODO: https://...", "https://www.whps.org/equity-forum"),
    ("blocks[3].registration_label", "TODO: the registration button's words", "Register for the Family Equity Forum"),
    ("blocks[4].title", "TODO: the event's title", "Child Tax Credit Help Sessions"),
    ("blocks[4].when", "TODO: when, for events without an exact time, e.g. 'All of November'", "Every Monday in November"),
    ("blocks[4].body", "TODO: what it is and who it is for, in Markdown", "Free help to claim the credit, in English and Spanish."),
    ("blocks[4].links[0].label", "TODO: the words people click, saying where the link goes", "Book a help session"),
    ("blocks[4].links[0].url", "TODO: https://...", "https://www.whps.org/tax-credit"),
    ("blocks[5].title", "TODO: the event's title", "Talking with Teens about Stress"),
    ("blocks[5].when", "TODO: when, for events without an exact time, e.g. 'All of November'", "All of November"),
    ("blocks[5].body", "TODO: what it is and who it is for, in Markdown", "A recorded webinar for parents of teens."),
    ("blocks[5].links[0].label", "TODO: the words people click, saying where the link goes", "Watch the stress webinar"),
    ("blocks[5].links[0].url", "TODO: https://...", "https://www.whps.org/webinar"),
    ("blocks[9].heading", "TODO: e.g. Foodshare food distributions in November", "Foodshare food distributions in November"),
    ("blocks[9].month", "TODO: the month, as YYYY-MM", "2021-11"),
    ("blocks[9].distributions[2].date", "TODO: date, as YYYY-MM-DD", "2021-11-20"),
    ("blocks[10].body", "TODO: this month's news, in Markdown", "Thanksgiving week menus are posted."),
    ("blocks[10].menus[0].label", "TODO: e.g. Elementary school menus for November", "Elementary school menus for November"),
    ("blocks[10].menus[1].label", "TODO: e.g. Elementary school menus for November", "Secondary school menus for November"),
    ("blocks[10].application.deadline", "TODO: date, as YYYY-MM-DD", "2021-11-30"),
    ("blocks[10].deadlines[0].date", "TODO: date, as YYYY-MM-DD", "2021-11-30"),
]


def field_id(key: str) -> str:
    return "#f-" + (re.sub(r"[^A-Za-z0-9_]+", "-", key).strip("-"))


def compose(*args, cwd, env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "compose.py"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def project(tmp_path):
    """A project folder (the sample newsletters) and the environment a staff member's terminal has."""
    folder = tmp_path / "project"
    shutil.copytree(ROOT / "newsletters", folder / "newsletters")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSLETTER_")}
    env["NEWSLETTER_DB"] = f"sqlite:///{tmp_path / 'studio.db'}"
    return folder, env


@pytest.fixture
def studio(project, tmp_path):
    folder, env = project
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "compose.py"), "studio", "--port", str(port)], cwd=folder,
                              env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "studio.log").open("w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=20)


def typed(text: str) -> str:
    """The new issue with its to-dos replaced as someone typing YAML would."""
    for key, todo, value in TODOS:
        quoted = f'"{todo}"'
        assert quoted in text, key
        if "\n" in value:
            indent = " " * (text[:text.index(quoted)].rsplit("\n", 1)[1].index(key.rsplit(".", 1)[1]) + 2)
            written = "|\n" + "\n".join(indent + line if line else "" for line in value.split("\n"))
        else:
            written = json.dumps(value)
        text = text.replace(quoted, written, 1)
    return text


def test_a_new_editor_writes_the_november_issue_in_the_browser(browser, project, studio, tmp_path):  # noqa: F811
    folder, env = project
    added = compose("staff", "add", "nia@example.org", "--name", "Nia Editor", "--role", "editor",
                    "--publication", "equity", cwd=folder, env=env)
    assert added.returncode == 0, added.stderr
    link = re.search(r"https?://\S+/set-password/\S+", added.stdout)[0]
    link = studio + link[link.index("/set-password/"):]

    page = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True).new_page()
    page.goto(link)
    assert serious_violations(page) == []
    page.get_by_label("New password").fill(PASSWORD)
    page.get_by_label("The same password again").fill(PASSWORD)
    page.get_by_role("button", name="Set password and sign in").click()
    page.get_by_role("heading", name="Your publications").wait_for()

    page.get_by_role("link", name="New issue from the previous one").first.click()
    assert page.get_by_label("Folder name").input_value() == ISSUE
    assert serious_violations(page) == []
    page.get_by_role("button", name="Start the issue").click()
    page.get_by_role("heading", name=f"equity / {ISSUE}").wait_for()
    assert page.locator("#summary").get_by_text(f"To do ({len(TODOS)})").is_visible()

    # the mental-health library block, removed and added again from the library at the same place
    page.get_by_role("button", name="Remove: block 7", exact=True).click()
    page.locator("#block-6-title").get_by_text("Community Resources").wait_for()
    page.locator("#add-6").select_option("include:mental-health")
    page.locator(".add-block", has=page.locator("#add-6")).get_by_role("button", name="Add").click()
    page.locator("#block-6-title").get_by_text("Library block: mental-health").wait_for()

    refused = []
    page.on("response", lambda r: refused.append((r.status, r.url)) if r.status >= 400 else None)
    for key, _, value in TODOS:
        page.locator(field_id(key)).fill(value)
    try:
        page.locator("#summary").get_by_text("To do (").wait_for(state="detached")
    except Exception:
        raise AssertionError(f"{refused} {page.locator('#summary').inner_text()}")
    assert refused == []
    page.locator("#summary").get_by_text("No problems: compose.py check would pass.").wait_for()
    page.frame_locator("iframe[data-lang=en]").get_by_text("Family Equity Forum", exact=True).first.wait_for()
    page.get_by_role("button", name="Save to issue.yaml").click()
    page.get_by_text("compose.py check finds no problem").wait_for()

    saved = folder / "newsletters" / "equity" / ISSUE
    checked = compose("check", f"newsletters/equity/{ISSUE}", cwd=folder, env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    text = (saved / "issue.yaml").read_text(encoding="utf-8")
    assert "TODO" not in text.split("\n", 2)[2] and "include: mental-health" in text

    # the same content typed as YAML, in another copy of the project
    other = tmp_path / "typed"
    shutil.copytree(ROOT / "newsletters", other / "newsletters")
    assert compose("new", f"newsletters/equity/{ISSUE}", cwd=other, env=env).returncode == 0
    by_hand = other / "newsletters" / "equity" / ISSUE / "issue.yaml"
    by_hand.write_text(typed(by_hand.read_text(encoding="utf-8")), encoding="utf-8")
    for where in (folder, other):
        built = compose("build", f"newsletters/equity/{ISSUE}", "--out", "built", cwd=where, env=env)
        assert built.returncode == 0, built.stdout + built.stderr
    pages = sorted(p.relative_to(folder / "built") for p in (folder / "built").rglob("*.html"))
    assert {"en.html", "es.html", "ar.html"} <= {p.name for p in pages}
    for name in pages:
        assert (folder / "built" / name).read_bytes() == (other / "built" / name).read_bytes(), name
