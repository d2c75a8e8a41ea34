"""The studio's sends through a real SMTP server (aiosmtpd on 127.0.0.1): proofs arrive in every
language the send uses, marked [TEST]; a scheduled send run by the worker (on the test's clock)
where the server refuses three addresses, which the failures list shows with the server's
reasons; retry failed; and a `compose.py worker --once` killed with SIGKILL in the middle of a send,
restarted, finishes it with every family reached once.

The families read English, Spanish and Arabic: the sample issue's other languages are the
translation stub's pseudo-translations, which a real backend refuses to send (as it should)."""
from __future__ import annotations

import asyncio
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest

from tests.conftest import ROOT
from tests.json_stub import LocalServer
from tests.mailer.smtp_sink import SMTPSink
from tests.studio.conftest import SAMPLE, SECRET, add_staff, csrf, sign_in

URL = f"/equity/{SAMPLE}"
FAMILIES = 30
LINK_SECRET = "smtp-test-link-secret-0123456789-abcdef"


class EditionHost(LocalServer):
    """Where the web editions would be served: answers 200 to the send's link check (HEAD)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self):
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_HEAD

            def log_message(self, *args):
                pass

        self._serve_on(0, Handler)


def family(i: int) -> str:
    return f"family{i:02d}@example.org"


@pytest.fixture
def sink():
    with SMTPSink() as running:
        yield running


@pytest.fixture
def host():
    with EditionHost() as running:
        yield running


@pytest.fixture
def smtp_app(newsletters, studio_store, clock, tmp_path, sink, host):
    from common.settings import Settings
    from studio.app import create_app
    from studio.send_pages import SendDesk
    from studio.studio_settings import StudioSettings
    from workflows import family_records

    clock.now = clock.now.replace(hour=15)                      # 11:00 in West Hartford: no quiet hours
    shutil.copy(ROOT / "audiences.yaml", newsletters.parent / "audiences.yaml")
    publication = newsletters / "equity" / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8") + "\nquiet_hours: none\n", encoding="utf-8")
    roster = tmp_path / "families.csv"
    with open(roster, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Parent Email", "Parent Name", "Home Language", "School", "Grade"])
        writer.writerows([family(i), f"Family {i}", ["English", "Spanish", "Arabic"][i % 3],
                          "Aiken Elementary School", "2"] for i in range(FAMILIES))
    settings = {"db": studio_store.url, "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_security": "none",
                "smtp_pool": 1, "smtp_retries": 0, "secret": LINK_SECRET, "base_url": host.url,
                "audiences": newsletters.parent / "audiences.yaml"}
    core = Settings.from_env({}, **settings)
    family_records.import_roster(core, roster)
    add_staff(studio_store, clock, "sam@example.org", role="sender")
    app = create_app(StudioSettings(secret_key=SECRET), store=studio_store, newsletters_dir=newsletters, clock=clock,
                     sending=SendDesk(core, backend="smtp", outbox_dir=tmp_path / "outbox",
                                      reports_dir=tmp_path / "reports", poll_seconds=0.01, stream_minutes=0.01))
    app.config["core"] = core
    return app


@pytest.fixture
def sam(smtp_app):
    client = smtp_app.test_client()
    assert sign_in(client, "sam@example.org").status_code == 302
    return client


def post(client, path, data):
    page = client.get(f"{URL}/send").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf(page), **data})


def confirm(client, when: str = "now", **more):
    page = client.get(f"{URL}/send").get_data(as_text=True)
    fingerprint = re.search(r'name="fingerprint" value="([0-9a-f]{64})"', page)[1]
    answer = client.post(f"{URL}/confirm", data={"csrf_token": csrf(page), "segment": "all-families",
                                                 "families": str(FAMILIES), "typed": str(FAMILIES),
                                                 "fingerprint": fingerprint, "when": when, **more})
    assert answer.status_code == 302, re.search(r'role="alert">(.*?)<', answer.get_data(as_text=True), re.S)
    return answer


def test_the_proofs_arrive_at_the_server_in_every_language_marked_test(sam, sink):
    answer = post(sam, f"{URL}/test-send", {"segment": "all-families", "addresses": "pat@example.org"})
    assert answer.status_code == 200, re.search(r'role="alert">(.*?)<', answer.get_data(as_text=True), re.S)
    for address in ("sam@example.org", "pat@example.org"):
        got = _parsed(sink, address)
        assert {m["Content-Language"] for m in got} == {"en", "es", "ar"}, address
        assert all(str(m["Subject"]).startswith("[TEST]") for m in got)
    assert not any(rcpt.startswith("family") for _, rcpts, _ in sink.messages for rcpt in rcpts)


def _parsed(sink, address: str) -> list:
    import email
    from email import policy
    return [email.message_from_bytes(content, policy=policy.default)
            for _, rcpts, content in sink.messages if address in rcpts]


def test_a_scheduled_send_refused_for_three_addresses_shows_them_in_failures_and_retry_reaches_two(
        smtp_app, sam, sink, clock):
    import datetime as dt

    from workflows import schedule
    store, core = smtp_app.config["studio"].store, smtp_app.config["core"]
    sink.refuse = {family(3): [451], family(4): [451], family(5): [550]}    # two try-again-later, one no such user
    confirm(sam, when="later", at="2021-10-21T07:00")
    [item] = schedule.listed(store, "equity", SAMPLE)
    assert schedule.run_due(core, store=store, clock=lambda: item.run_at - dt.timedelta(minutes=1)) == []
    assert sink.messages == []
    [done] = schedule.run_due(core, store=store, clock=lambda: item.run_at)
    assert done.state == "done" and "27 families" in done.detail and "3 families not reached" in done.detail
    assert len(sink.per_address()) == FAMILIES - 3

    report = sam.get(f"{URL}/report").get_data(as_text=True)
    assert "Not reached (3)" in report
    failures = re.search(r'<table id="failures".*?</table>', report, re.S)[0]
    rows = {email: row for email, row in ((re.search(r"<td>([^<]+@example.org)</td>", r)[1], r)
                                          for r in re.findall(r"<tr><td>.*?</tr>", failures, re.S))}
    assert set(rows) == {family(3), family(4), family(5)}
    assert "try again later" in rows[family(3)] and "failed" in rows[family(3)]
    assert "no such user" in rows[family(5)] and "rejected" in rows[family(5)]
    assert "Retry failed" in report

    sam_page = sam.get(f"{URL}/report").get_data(as_text=True)
    assert sam.post(f"{URL}/retry", data={"csrf_token": csrf(sam_page), "segment": "all-families",
                                          "what": "failed"}).status_code == 302
    [retried] = schedule.run_due(core, store=store, clock=clock)
    assert retried.state == "done" and "2 families" in retried.detail
    counts = sink.per_address()
    assert counts[family(3)] == counts[family(4)] == 1 and family(5) not in counts
    assert len(counts) == FAMILIES - 1 and set(counts.values()) == {1}           # nobody got it twice
    report = sam.get(f"{URL}/report").get_data(as_text=True)
    assert "Not reached (1)" in report and family(5) in report


def _hold_the_nth_message(sink, n: int) -> tuple[threading.Event, threading.Event]:
    """The server keeps the n-th message's DATA unanswered until the returned `release` is set, then
    refuses it (the client is gone by then): the send is cut off with exactly n-1 messages accepted.
    `arrived` is set once the n-th message is at the server (kill the client only then: killed
    before, the next run's first message would be the one held)."""
    original, release, arrived, seen = sink.handle_DATA, threading.Event(), threading.Event(), [0]

    async def handle_DATA(server, session, envelope):
        seen[0] += 1
        if seen[0] == n:
            arrived.set()
            while not release.is_set():
                await asyncio.sleep(0.01)
            server.transport.close()
            return "421 closing"
        return await original(server, session, envelope)

    sink.handle_DATA = handle_DATA
    return release, arrived


def _sent_rows(store) -> int:
    from sqlalchemy import func, select

    from mailer.store.tables import send_log
    with store.read() as connection:
        return connection.execute(select(func.count()).select_from(send_log)
                                  .where(send_log.c.status == "sent")).scalar()


def test_a_worker_killed_mid_send_and_restarted_finishes_the_send_with_nobody_doubled(
        smtp_app, sam, sink, host, newsletters):
    from workflows import schedule
    store = smtp_app.config["studio"].store
    held = 12
    release, arrived = _hold_the_nth_message(sink, held)
    confirm(sam, when="now")
    env = {**os.environ, "NEWSLETTER_DB": store.url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
           "SMTP_SECURITY": "none", "SMTP_POOL": "1", "SMTP_RETRIES": "0", "NEWSLETTER_SECRET": LINK_SECRET,
           "NEWSLETTER_BASE_URL": host.url, "NEWSLETTER_AUDIENCES": str(newsletters.parent / "audiences.yaml")}
    worker = [sys.executable, str(ROOT / "compose.py"), "worker", "--once"]
    first = subprocess.Popen(worker, cwd=newsletters.parent, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for _ in range(6000):                  # until the 11 accepted are recorded (the 12th waits at the server)
            if (_sent_rows(store) >= held - 1 and arrived.is_set()) or first.poll() is not None:
                break
            time.sleep(0.02)
        assert first.poll() is None, first.communicate()
        assert _sent_rows(store) == held - 1
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
    finally:
        release.set()
        if first.poll() is None:
            first.kill()
    assert first.returncode == -signal.SIGKILL
    [item] = schedule.listed(store, "equity", SAMPLE)
    assert item.state == "running"                                   # left by the dead worker
    assert len(sink.messages) == held - 1

    restarted = subprocess.run(worker, cwd=newsletters.parent, env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=300)
    assert restarted.returncode == 0, restarted.stderr
    assert f"send {item.id} of equity/{SAMPLE}" in restarted.stdout and ": done:" in restarted.stdout
    counts = sink.per_address()
    assert len(counts) == FAMILIES and set(counts.values()) == {1}, counts
    assert schedule.get(store, item.id).state == "done"
    # the studio's line for the send names the family the dead worker was transmitting (issue 25, fault 7)
    assert "1 family may get this issue twice" in schedule.get(store, item.id).detail
    assert "Not reached (0)" in sam.get(f"{URL}/report").get_data(as_text=True)
