"""No dead links at send time: a real send asks for the web edition and a calendar file first and
refuses, naming the address and the fix, before any family gets a message."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from mailer.publish import linkcheck
from mailer.store.tables import send_log
from tests.mailer.smtp_sink import SMTPSink, free_port
from tests.web.conftest import BASE, ISSUE, WEB


@pytest.fixture
def smtp(monkeypatch):
    with SMTPSink() as sink:
        monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("SMTP_PORT", str(sink.port))
        monkeypatch.setenv("SMTP_SECURITY", "none")
        yield sink


def logged(store) -> int:
    with store.read() as connection:
        return connection.scalar(select(func.count()).select_from(send_log))


def test_a_send_whose_web_address_nobody_serves_is_refused_before_any_family_gets_it(families, send, smtp,
                                                                                      monkeypatch):
    nobody = f"http://127.0.0.1:{free_port()}"                   # nothing listens there
    monkeypatch.setenv("NEWSLETTER_BASE_URL", nobody)
    result = send("--backend", "smtp")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"NEWSLETTER_BASE_URL: {nobody}/equity/{ISSUE}/" in result.stderr
    assert "could not be reached" in result.stderr and "every family would get a dead link" in result.stderr
    assert "python compose.py serve" in result.stderr and "--skip-link-check" in result.stderr
    assert "(nothing was sent)" in result.stderr
    assert smtp.messages == [] and logged(families) == 0


def test_skip_link_check_sends_anyway_and_the_report_says_so(families, send, smtp, monkeypatch, tmp_path):
    monkeypatch.setenv("NEWSLETTER_BASE_URL", f"http://127.0.0.1:{free_port()}")
    result = send("--backend", "smtp", "--skip-link-check")
    assert result.exit_code == 0, result.output
    assert "Link check skipped (--skip-link-check)" in result.stderr and len(smtp.messages) == 3
    [report] = (tmp_path / "reports" / "equity" / ISSUE).glob("send-*.json")
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["link_check"] == "skipped (--skip-link-check)"
    assert data["web"]["published"] == ["en", "es", "ar"] and data["web"]["url"].endswith(f"{WEB}/")


def test_a_static_host_without_the_files_is_refused_until_publish_wrote_them(families, send, smtp, run,
                                                                            newsletters, static_host):
    folder, host = static_host
    settings = newsletters / "equity" / "publication.yaml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"web_base_url: {host}/equity\n", encoding="utf-8")
    refused = send("--backend", "smtp")
    assert refused.exit_code == 1
    assert f"web_base_url: {host}/equity/{ISSUE}/" in refused.stderr and "answered 404" in refused.stderr
    assert f"equity/{ISSUE} --to DIR, copy DIR/ to {host}/equity/" in refused.stderr
    assert smtp.messages == [] and logged(families) == 0

    published = run("publish", newsletters / "equity" / ISSUE, "--to", folder / "equity")
    assert published.exit_code == 0, published.output
    assert f"Upload {folder / 'equity'}/ to {host}/equity/" in published.output
    done = send("--backend", "smtp")
    assert done.exit_code == 0, done.output
    assert "Links checked: 4 addresses answered 200" in done.output and len(smtp.messages) == 3
    assert f"{host}/equity/{ISSUE}/ar.html" in done.output and ".ics" in done.output


def test_the_outbox_asks_no_server_but_checks_what_it_published(families, send, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_BASE_URL", f"http://127.0.0.1:{free_port()}")
    result = send()
    assert result.exit_code == 0, result.output
    assert "links published (the outbox asks no server: python compose.py serve --demo serves them)" in result.output
    assert "run python compose.py serve --demo to open them" in result.output


def test_proofs_publish_their_editions_and_warn_about_a_dead_link(families, send, smtp, client, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_BASE_URL", f"http://127.0.0.1:{free_port()}")
    result = send("--backend", "smtp", "--test-to", "staff@example.org")
    assert result.exit_code == 0, result.output
    assert "warning: NEWSLETTER_BASE_URL:" in result.stderr and "(a real send would stop here)" in result.stderr
    assert len(smtp.messages) == 3 and logged(families) == 0                  # proofs only
    assert client.get(f"{WEB}/es.html").status_code == 200                   # the proofs' links lead somewhere
    assert "No issues yet." in client.get("/equity/").get_data(as_text=True)  # not in the archive before a family


def test_head_says_what_an_address_did(static_host):
    folder, host = static_host
    (folder / "en.html").write_text("<p>hello</p>", encoding="utf-8")
    (folder / "moved").mkdir()
    (folder / "moved" / "index.html").write_text("<p>moved</p>", encoding="utf-8")
    assert linkcheck.head(f"{host}/en.html") is None
    assert linkcheck.head(f"{host}/moved") is None                           # a redirect to moved/ is followed
    assert linkcheck.head(f"{host}/missing.ics") == "answered 404 File not found"
    assert linkcheck.head(f"http://127.0.0.1:{free_port()}/x").startswith("could not be reached (")


def test_the_links_asked_are_each_web_edition_and_one_calendar_file():
    html = (f'<a href="{BASE}{WEB}/es.html">x</a><a href="{BASE}{WEB}/kickoff-es.ics">.ics</a>'
            f'<a href="{BASE}{WEB}/foodshare-es.ics">.ics</a><a href="https://www.whps.org">w</a>'
            f'<a href="{BASE}/p/TOKEN">p</a><a href="{BASE}{WEB}/es.html">again</a>')
    carried = linkcheck.carried(html, f"{BASE}{WEB}")
    assert carried == [f"{BASE}{WEB}/es.html", f"{BASE}{WEB}/kickoff-es.ics", f"{BASE}{WEB}/foodshare-es.ics"]
    assert linkcheck.to_ask(carried) == carried[:2]
    assert linkcheck.unpublished(carried, f"{BASE}{WEB}", {"es.html", "kickoff-es.ics"}) == [carried[2]]
