"""The web editions, the issue's page and the archive as the preference center serves them."""
from __future__ import annotations

import email
import re
import shutil
from email import policy
import xml.etree.ElementTree as ET

import pytest
from icalendar import Calendar

from tests.web.conftest import BASE, ISSUE, WEB

SECOND = "2021-11-nov-dec"


@pytest.fixture
def sent(families, send):
    result = send()
    assert result.exit_code == 0, result.output
    return families


def switcher(page: str) -> list[str]:
    nav = re.search(r"<nav[^>]*>(.*?)</nav>", page, re.S).group(1)
    return [re.sub(r"<[^>]+>", " ", item).split() for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)]


def test_a_web_edition_is_the_email_without_anything_of_a_family(sent, client):
    response = client.get(f"{WEB}/ar.html")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and re.search(r'<html lang="ar" dir="rtl">', page)
    assert response.headers["Content-Language"] == "ar" and "public" in response.headers["Cache-Control"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]       # nothing loaded, no script
    assert "<script" not in page and not re.search(r"__[A-Z_]+__", page)
    assert "/u/" not in page and "/p/" not in page                                     # no family's links
    assert "غيّر لغتك أو المواضيع" not in page                                         # nor their paragraph
    assert "أهلاً بعودتكم" in page and f"{WEB}/kickoff-ar.ics" in page                  # the content, as sent
    assert ".chrome-top { display: none !important; }" in page                        # "view in browser" hidden


def test_the_switcher_lists_every_edition_by_its_own_name_with_its_status(sent, client):
    arabic = switcher(client.get(f"{WEB}/ar.html").get_data(as_text=True))
    assert [item[0] for item in arabic] == ["العربية", "English", "Español"]        # the reader's first
    assert arabic[0][1:] == ["بعض", "الأقسام", "باللغة", "الإنجليزية"]              # partial: said in Arabic
    assert arabic[1][1:] == ["Original"] and arabic[2][1:] == []
    spanish = client.get(f"{WEB}/es.html?from=ar").get_data(as_text=True)
    assert [item[0] for item in switcher(spanish)] == ["العربية", "English", "Español"]   # still theirs first
    assert 'href="es.html?from=ar" hreflang="es" aria-current="page"' in spanish
    assert '<html lang="es" dir="ltr">' in spanish


def test_a_machine_edition_is_labelled_in_its_own_language(sent, client):
    from blocks.i18n.localize import localize
    from blocks.loader import load_issue
    from blocks.render import render_issue
    from mailer.publish.published_editions import MACHINE, Rendered, publish
    from tests.conftest import SAMPLE
    issue = load_issue(SAMPLE)
    email = render_issue(localize(issue, "pt"), "pt", web_url=f"https://prefs.example.org{WEB}")
    assert publish(sent, "equity", issue, f"https://prefs.example.org{WEB}",
                   {"pt": Rendered(email, MACHINE, issue.title, issue.period)}, set()) == ["pt"]
    items = switcher(client.get(f"{WEB}/en.html").get_data(as_text=True))
    assert ["Português", "Tradução", "automática"] in items
    assert client.get(f"{WEB}/pt.html").status_code == 200


def test_the_issue_page_lists_editions_and_calendar_files_in_the_readers_language(sent, client):
    page = client.get(f"{WEB}/?lang=es").get_data(as_text=True)
    assert '<html lang="es"' in page and "Lea este número" in page and "Archivos de calendario" in page
    assert 'href="kickoff-es.ics"' in page and 'href="ar.html"' in page and "العربية" in page
    assert "Información, anuncios y oportunidades" in page
    english = client.get(f"{WEB}/", headers={"Accept-Language": "fr, en;q=0.5"}).get_data(as_text=True)
    assert "Read this issue" in english and 'href="kickoff-en.ics"' in english
    assert client.get(WEB).status_code == 308                                          # to the folder


def test_not_found_is_a_friendly_page(sent, client):
    for path in ("/other/", f"/other/{ISSUE}/en.html", "/equity/2030-01/", f"{WEB}/fr.html", f"{WEB}/x.ics",
                 "/equity/foodshare-fr.ics"):
        response = client.get(path)
        assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True), path


def _second_issue(newsletters):
    shutil.copytree(newsletters / "equity" / ISSUE, newsletters / "equity" / SECOND)


def test_the_archive_lists_issues_families_got_newest_first_in_the_readers_language(sent, send, client,
                                                                                 newsletters):
    _second_issue(newsletters)
    assert send("--test-to", "staff@example.org", issue=SECOND).exit_code == 0      # proofs: not listed yet
    page = client.get("/equity/").get_data(as_text=True)
    assert f'href="{ISSUE}/en.html"' in page and SECOND not in page
    assert send(issue=SECOND).exit_code == 0
    page = client.get("/equity/", headers={"Accept-Language": "es-MX, es;q=0.9"}).get_data(as_text=True)
    assert '<html lang="es"' in page and "Números anteriores" in page
    assert page.index(f'href="{SECOND}/es.html"') < page.index(f'href="{ISSUE}/es.html"')
    assert "Información, anuncios y oportunidades" in page
    arabic = client.get("/equity/?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in arabic and f'href="{ISSUE}/ar.html"' in arabic
    portuguese = client.get("/equity/?lang=pt").get_data(as_text=True)       # no Portuguese edition: the original
    assert f'href="{ISSUE}/en.html"' in portuguese and "(em inglês)" in portuguese
    assert 'href="feed.atom"' in page and "webcal://prefs.example.org/equity/foodshare-es.ics" in page


def test_the_atom_feed_lists_the_issues_newest_first(sent, send, client, newsletters):
    _second_issue(newsletters)
    assert send(issue=SECOND).exit_code == 0
    response = client.get("/equity/feed.atom")
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(response.get_data())
    ids = [entry.find(f"{atom}id").text for entry in feed.iter(f"{atom}entry")]
    assert ids == [f"https://prefs.example.org/equity/{SECOND}/", f"https://prefs.example.org{WEB}/"]
    entry = next(feed.iter(f"{atom}entry"))
    assert {link.get("hreflang") for link in entry.iter(f"{atom}link")} == {"en", "es", "ar"}
    assert feed.find(f"{atom}link[@rel='self']").get("href") == "https://prefs.example.org/equity/feed.atom"


def test_the_foodshare_calendar_merges_every_issue_and_says_when_to_fetch_it_again(sent, send, client,
                                                                                   newsletters):
    _second_issue(newsletters)
    assert send(issue=SECOND).exit_code == 0
    response = client.get("/equity/foodshare-es.ics")
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="foodshare-es.ics"'
    calendar = Calendar.from_ical(response.get_data())
    events = list(calendar.walk("VEVENT"))
    uids = {str(event["UID"]) for event in events}
    assert any(uid.startswith(f"equity-{ISSUE}") for uid in uids) and any(uid.startswith(f"equity-{SECOND}") for uid in uids)
    assert len(uids) == len(events) and all("Distribución de alimentos" in str(e["SUMMARY"]) for e in events)
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT12H" in response.get_data(as_text=True)
    english = Calendar.from_ical(client.get("/equity/foodshare-pt.ics").get_data())   # no pt edition: English
    assert all(str(e["SUMMARY"]).startswith("Food distribution") for e in english.walk("VEVENT"))


def test_an_urdu_family_opening_their_message_sees_urdu_first_right_to_left(families, send, run, client, newsletters,
                                                                            write_roster, tmp_path):
    from tests.conftest import ROOT
    shutil.copy(ROOT / "newsletters" / "equity" / ISSUE / "i18n" / "ur.po", newsletters / "equity" / ISSUE / "i18n")
    assert run("subscribers", "import", write_roster([["zara@example.org", "Zara Khan", "Urdu", "Hall", "4"]],
                                                     name="urdu.csv")).exit_code == 0
    assert send().exit_code == 0
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in (tmp_path / "outbox" / "equity" / ISSUE).rglob("*.eml")]
    [message] = [m for m in messages if m["To"].addresses[0].addr_spec == "zara@example.org"]
    html = message.get_body(("html",)).get_content()
    view = re.search(r'<a href="([^"]+\.html)"[^>]*>[^<]*</a>', html).group(1)     # "view in your browser": its own
    assert view == f"{BASE}{WEB}/ur.html"
    page = client.get(view.removeprefix(BASE)).get_data(as_text=True)
    assert re.search(r'<html lang="ur" dir="rtl">', page)
    items = switcher(page)
    assert items[0] == ["اردو", "مشینی", "ترجمہ"] and "aria-current" in re.search(r"<nav.*?</li>", page, re.S).group(0)
    assert [item[0] for item in items[1:]] == ["English", "العربية", "Español"]       # then the original, the others
    spanish = client.get(f"{WEB}/es.html?from=ur").get_data(as_text=True)            # switching keeps theirs first
    assert switcher(spanish)[0][0] == "اردو" and '<html lang="es" dir="ltr">' in spanish
