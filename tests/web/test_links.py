"""Every link of every sent message works, and what is served is what was sent, whatever the YAML says later."""
from __future__ import annotations

import re

from tests.web.check_links import check
from tests.web.conftest import BASE, ISSUE, WEB


def kind(url: str) -> str:
    path = url.removeprefix(BASE)
    if path.startswith(f"{WEB}/") and path.endswith(".html"):
        return "web edition"
    if path.startswith(f"{WEB}/") and path.endswith(".ics"):
        return "calendar file"
    return {"/u/": "unsubscribe", "/p/": "preferences"}.get(path[:3], path)


def test_every_link_of_every_sent_message_answers_200(families, send, client, tmp_path):
    result = send()
    assert result.exit_code == 0, result.output
    assert "Links checked: " in result.output and f"{BASE}{WEB}/" in result.output
    checked = check(tmp_path / "outbox" / "equity" / ISSUE, BASE, lambda path: client.get(path).status_code)
    assert checked.messages == 3 and checked.failed == {}
    assert {kind(url) for url in checked.status} == {"web edition", "calendar file", "unsubscribe", "preferences"}
    assert {url.removeprefix(BASE) for url in checked.status if kind(url) == "web edition"} == {
        f"{WEB}/en.html", f"{WEB}/es.html", f"{WEB}/ar.html"}
    # two per language, but the Arabic edition links the English file of a section still in English
    assert sum(kind(url) == "calendar file" for url in checked.status) == 5
    assert sum(kind(url) == "unsubscribe" for url in checked.status) == 3       # one each (body and header)
    assert all(url.startswith(("https://", "http://", "mailto:", "tel:")) for url in checked.external)   # not asked
    for url in checked.status:
        assert client.head(url.removeprefix(BASE)).status_code == 200          # what the send's check asks


def test_calendar_files_are_served_as_calendars_with_a_filename(families, send, client):
    assert send().exit_code == 0
    response = client.get(f"{WEB}/kickoff-es.ics")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'inline; filename="kickoff-es.ics"'
    body = response.get_data(as_text=True)
    assert body.startswith("BEGIN:VCALENDAR") and "SUMMARY;LANGUAGE=es:Lanzamiento virtual" in body
    assert client.get(f"{WEB}/kickoff-xx.ics").status_code == 404


def _title(page: str) -> str:
    return re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)


def _main(page: bytes) -> bytes:
    """The edition itself (the switcher around it says how the other editions are now)."""
    return re.search(rb"<main id=\"main\">(.*)</main>", page, re.S).group(1)


def test_the_served_edition_is_what_was_sent_not_the_yaml_as_it_is_now(families, send, client, run, newsletters,
                                                                       write_roster, tmp_path):
    assert send().exit_code == 0
    paths = [f"{WEB}/en.html", f"{WEB}/es.html", f"{WEB}/kickoff-en.ics", f"{WEB}/kickoff-es.ics"]
    sent = {path: client.get(path).get_data() for path in paths}
    issue_yaml = newsletters / "equity" / ISSUE / "issue.yaml"
    issue_yaml.write_text(issue_yaml.read_text(encoding="utf-8").replace(
        "title: Information, Announcements & Opportunities", "title: Edited After Sending"), encoding="utf-8")
    assert run("build", newsletters / "equity" / ISSUE, "--out", tmp_path / "build").exit_code == 0   # a build publishes nothing
    again = send()                                     # every family has it: nothing sent, nothing published
    assert again.exit_code == 0 and "Nothing to send" in again.output
    assert {path: client.get(path).get_data() for path in paths} == sent
    assert "Edited After Sending" not in client.get(f"{WEB}/").get_data(as_text=True)

    # A Spanish family subscribes and gets the edited issue: the Spanish edition is now that one
    # (the title untranslated, so in English); the English one is still what English families got.
    assert run("subscribers", "import", write_roster([["new@example.org", "Nueva", "Spanish", "Aiken", "3"]],
                                                     name="new.csv")).exit_code == 0
    assert send().exit_code == 0
    assert "Edited After Sending" in _title(client.get(f"{WEB}/es.html").get_data(as_text=True))
    assert _main(client.get(f"{WEB}/en.html").get_data()) == _main(sent[f"{WEB}/en.html"])
    assert client.get(f"{WEB}/kickoff-en.ics").get_data() == sent[f"{WEB}/kickoff-en.ics"]
    assert "Algunas secciones en inglés" in client.get(f"{WEB}/en.html").get_data(as_text=True)   # es: now partial
