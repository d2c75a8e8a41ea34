"""The preview over HTTP, as a page sees it: the page, the frames, the event stream; the command."""
from __future__ import annotations

import http.client
import json
import re
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from common.errors import NewsletterError
from preview.watch import Watched
from tests.conftest import ROOT
from tests.preview.conftest import KICKOFF, edit


def get(server, path: str) -> tuple[int, str, str]:
    url = urlsplit(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8")
    connection.close()
    return response.status, response.getheader("Content-Type", ""), body


class Events:
    """The page's event stream, read as a browser's EventSource reads it."""

    def __init__(self, server, path: str = "/events"):
        url = urlsplit(server.url)
        self.connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)   # only if it hangs
        self.connection.request("GET", path)
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type").startswith("text/event-stream")

    def next(self) -> dict:
        fields: dict[str, str] = {}
        while True:
            line = self.response.readline().decode("utf-8").rstrip("\n")
            if not line:
                if fields.get("event") == "update":
                    return json.loads(fields["data"])
                fields = {}
            elif not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value

    def until(self, test) -> dict:
        while not test(data := self.next()):
            pass
        return data

    def close(self):
        self.connection.close()


def test_the_page_frames_and_calendar_files(server):
    status, kind, page = get(server, "/")
    assert status == 200 and kind.startswith("text/html")
    for lang, name in (("en", "English"), ("es", "Spanish"), ("ar", "Arabic")):
        assert f'id="frame-{lang}"' in page and f'id="name-{lang}">{name}' in page
    assert 'aria-label="Arabic inbox line"' in page and "أهلاً بعودتكم" in page
    status, _, frame = get(server, "/frame/es.html")
    assert status == 200 and 'data-block="kickoff"' in frame and '<base target="_blank">' in frame
    status, _, text = get(server, "/frame/ar.txt")
    assert status == 200 and '<html lang="ar" dir="rtl">' in text and "<pre>" in text
    status, kind, ics = get(server, "/frame/kickoff-en.ics")
    assert status == 200 and kind.startswith("text/calendar") and "BEGIN:VEVENT" in ics
    assert get(server, "/frame/fr.html")[0] == 404 and get(server, "/static/preview.js")[0] == 200
    assert "width=desktop" not in page and get(server, "/?lang=ar&width=desktop")[2].count(" hidden>") == 2


def test_a_saved_heading_reaches_open_pages_as_one_changed_section(server, issue):
    events = Events(server)
    first = events.next()
    assert first["problems"] == 0 and first["languages"] == ["en", "es", "ar"]
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off, now in person")
    update = events.until(lambda data: data["version"] > first["version"])
    for lang in ("en", "es", "ar"):
        frame = update["frames"][lang]
        assert list(frame["patch"].values()) and "Kick Off, now in person" in "".join(frame["patch"].values())
        # English: the block's section; Spanish and Arabic: also the note at the top, which now lists
        # the kickoff among the sections shown in English (its translation went stale)
        assert frame["head"] == first["frames"][lang]["head"]
        assert len(frame["patch"]) == 1 if lang == "en" else "#fff4ce" in "".join(frame["patch"].values())
    assert "issue.yaml saved: en, es, ar updated" in update["parts"]["live"]
    settled = events.until(lambda data: not data["settling"])
    assert "Kick Off, now in person" in get(server, "/frame/en.txt")[2]
    assert settled["frames"]["en"]["sections"] == update["frames"]["en"]["sections"]   # the quick one was right
    events.close()


def test_a_mistake_is_pushed_with_the_problem_and_the_fix_clears_it(server, issue):
    events = Events(server)
    first = events.next()
    edit(issue / "issue.yaml", "start: 2021-09-29T18:00", "start: 2021-09-31T18:00")
    broken = events.until(lambda data: data["problems"])
    assert "newsletters/equity/2021-09-sept-oct/issue.yaml:" in broken["parts"]["problems"]
    assert "blocks[3].start: &#39;2021-09-31T18:00&#39; is not a valid date" in broken["parts"]["problems"]
    assert broken["frames"]["en"]["sections"] == first["frames"]["en"]["sections"]     # the last good preview stays
    edit(issue / "issue.yaml", "start: 2021-09-31T18:00", "start: 2021-09-29T18:00")
    fixed = events.until(lambda data: not data["problems"])
    assert fixed["parts"]["problems"] == '<div id="problems">\n</div>'
    events.close()


def test_a_port_in_use_is_a_plain_error(server, issue):
    from preview.server import PreviewServer
    with pytest.raises(NewsletterError) as caught:
        PreviewServer(issue, port=int(urlsplit(server.url).port))
    assert "cannot serve the preview on 127.0.0.1" in str(caught.value)
    assert "give another port, e.g. --port" in caught.value.problems[0].hint


def test_only_the_files_an_issue_is_made_from_matter(issue):
    watched = Watched(issue)
    blocks, library = ROOT / "blocks", issue.parent.parent / "library"     # the issue's newsletters/library
    matters = [issue / "issue.yaml", issue / "i18n" / "es.po", issue.parent / "publication.yaml",
               issue.parent / "i18n" / "ar.po", library / "mental-health.yaml",
               library / "i18n" / "es.po", blocks / "templates" / "event.mjml.j2",
               blocks / "templates" / "pages" / "index.html.j2", blocks / "i18n" / "chrome" / "es.po"]
    ignored = [issue / ".issue.yaml.swp", issue / "issue.yaml~", issue / ".#issue.yaml", issue / "4913",
               issue / "notes.txt", issue.parent / "2021-10" / "issue.yaml", blocks / "render.py",
               ROOT / "newsletters" / "equity" / "publication.yaml",
               ROOT / "newsletters" / "library" / "mental-health.yaml"]      # another copy's library
    assert [p for p in matters if not watched.matters(p)] == []
    assert [p for p in ignored if watched.matters(p)] == []
    assert issue.parent.resolve() in watched.roots and issue.resolve() not in watched.roots
    assert library.resolve() in watched.roots


def test_the_library_watched_is_the_one_the_issue_is_loaded_with(issue, tmp_path):
    elsewhere = tmp_path / "shared-library"                 # NEWSLETTER_LIBRARY, given to the loader
    elsewhere.mkdir()
    watched = Watched(issue, elsewhere)
    assert watched.matters(elsewhere / "mental-health.yaml") and watched.matters(elsewhere / "i18n" / "es.po")
    assert not watched.matters(issue.parent.parent / "library" / "mental-health.yaml")
    missing = Watched(issue, tmp_path / "not-yet")           # watched from its parent, so it is seen once made
    assert missing.matters(tmp_path / "not-yet" / "mental-health.yaml") and tmp_path.resolve() in missing.roots


def test_the_command_is_registered_and_refuses_a_missing_folder(tmp_path):
    compose = str(ROOT / "compose.py")
    shown = subprocess.run([sys.executable, compose, "preview", "--help"], capture_output=True, text=True)
    assert shown.returncode == 0 and "--port" in shown.stdout and "--open" in shown.stdout
    missing = subprocess.run([sys.executable, compose, "preview", str(tmp_path / "nope")], capture_output=True,
                             text=True)
    assert missing.returncode == 1 and "no such issue folder" in missing.stderr and "Traceback" not in missing.stderr


def test_templates_and_static_files_are_packaged():
    import fnmatch
    import tomllib
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["preview"]
    files = [p.relative_to(ROOT / "preview").as_posix() for folder in ("templates", "static")
             for p in (ROOT / "preview" / folder).iterdir()]
    assert files and [f for f in files if not any(fnmatch.fnmatch(f, g) for g in globs)] == []



def test_open_starts_the_browser_on_the_page_and_ctrl_c_stops_cleanly(issue, monkeypatch):
    import webbrowser
    from compose import cli
    from preview.server import PreviewServer
    opened, stopped = [], []
    monkeypatch.setattr(webbrowser, "open", opened.append)

    def interrupted(self):
        raise KeyboardInterrupt
    monkeypatch.setattr(PreviewServer, "wait", interrupted)
    real_stop = PreviewServer.stop
    monkeypatch.setattr(PreviewServer, "stop", lambda self: stopped.append(self.url) or real_stop(self))
    result = CliRunner().invoke(cli, ["preview", "newsletters/equity/2021-09-sept-oct", "--port", "0", "--open"])
    assert result.exit_code == 0, result.output
    assert re.search(r"Preview at http://127\.0\.0\.1:\d+/ \(en, es, ar ready\)\. Ctrl-C to stop\.", result.output)
    assert opened == stopped and opened[0].startswith("http://127.0.0.1:")
    assert result.output.rstrip().endswith("Stopped.")


def test_an_issue_broken_from_the_start_shows_its_problems_then_every_language_once_fixed(issue):
    from preview.server import PreviewServer
    edit(issue / "issue.yaml", "type: event\n    id: kickoff", "type: evnt\n    id: kickoff")
    server = PreviewServer(issue, port=0).start()
    try:
        status, _, page = get(server, "/")
        assert status == 200 and "1 problem: no preview yet: fix it and save" in " ".join(page.split())
        assert "Nothing to show yet." in page and 'name="lang"' not in page
        events = Events(server)
        assert events.next()["languages"] == []
        edit(issue / "issue.yaml", "type: evnt\n    id: kickoff", "type: event\n    id: kickoff")
        assert events.until(lambda data: data["languages"])["languages"] == ["en", "es", "ar"]
        events.close()
    finally:
        server.stop()


def test_the_languages_open_pages_show_come_first_and_the_others_right_after(server, issue):
    events = Events(server, "/events?page=one&lang=en&lang=es")
    first = events.next()
    again = Events(server, "/events?page=one&lang=en")         # the same page asks again: it replaces its stream
    again.next()
    other = Events(server, "/events?page=two&lang=en")
    other.next()
    assert server.hub.languages() == {"en"}
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off, now in person")
    update = again.until(lambda data: data["rendered"])
    assert [lang for lang, _ in update["rendered"]] == ["en"] and update["settling"]
    assert update["frames"]["ar"]["sections"] == first["frames"]["ar"]["sections"]    # Arabic: not yet
    later: list[str] = []                                            # rendered by the events that follow
    caught = again.until(lambda data: later.extend(lang for lang, _ in data["rendered"]) or "ar" in later)
    assert sorted(set(later)) == ["ar", "es"]
    assert caught["frames"]["ar"]["sections"] != first["frames"]["ar"]["sections"]
    assert again.until(lambda data: not data["settling"])
    _, _, frame = get(server, "/frame/ar.html")
    assert "Kick Off, now in person" in frame
    for stream in (events, again, other):
        stream.close()


@pytest.mark.parametrize("host", ["evil.example:8001", "rebind.attacker.test", "192.0.2.1", "127.0.0.1.evil.test"])
def test_a_request_naming_another_host_is_refused(server, host):
    """A page on a name an attacker points at 127.0.0.1 (DNS rebinding) sends its own Host header:
    the preview answers only to its loopback names."""
    url = urlsplit(server.url)
    for path in ("/", "/events", "/frame/en.html"):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        body = response.read().decode("utf-8")
        connection.close()
        assert response.status == 421 and "answers to" in body and "<html" not in body, (path, body)
    for own in (f"127.0.0.1:{url.port}", f"localhost:{url.port}", "localhost"):
        connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
        connection.request("GET", "/frame/en.html", headers={"Host": own})
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == 200, own
