"""SendGrid: request bodies checked by Prism against SendGrid's own OpenAPI contract; retries
and status mapping against a local stub. Nothing leaves 127.0.0.1."""
from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

from blocks import tokens
from blocks.loader import load_issue
from blocks.render import render_issue
from mailer.backends.backend import Outgoing
from mailer.backends.sendgrid import SendGridBackend
from mailer.message.mime import Envelope, MessageTemplate
from tests.mailer.http_stub import Stub
from tests.mailer.smtp_sink import free_port
from common.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "contracts" / "sendgrid" / "tsg_mail_v3.json"
PRISM = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "prism"


@pytest.fixture(scope="module")
def template():
    issue = load_issue(ROOT / "newsletters" / "equity" / "2021-09-sept-oct")
    return MessageTemplate(render_issue(issue, "en"), sender=("Office of Equity Advancement", "equity@example.org"),
                           reply_to="equity@example.org", list_id="Office <newsletter.example.org>",
                           date=dt.datetime(2021, 9, 20, tzinfo=dt.timezone.utc))


def messages(template, count: int) -> list[Outgoing]:
    out = []
    for i in range(count):
        url = f"https://prefs.example.org/u/token{i}"
        values = {tokens.UNSUBSCRIBE_URL: url, tokens.PREFERENCES_URL: f"https://prefs.example.org/p/token{i}",
                  tokens.FIRST_NAME: "Ana", tokens.GREETING: "Dear Ana,", tokens.WEB_URL: "https://n.example.org/x"}
        envelope = Envelope(f"family{i}@example.org", f"Family {i}", f"<x.{i}@example.org>", values, f"<{url}>")
        out.append(Outgoing(i, envelope.to_email, template, envelope,
                            {"issue": "equity/2021-09-sept-oct", "lang": "en", "segment": "all-families", "subscriber": str(i)}))
    return out


@pytest.fixture(scope="module")
def prism():
    if not PRISM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Prism is not installed (npm ci --prefix .ci/node): .ci/run installs it")
        pytest.skip("Prism is not installed (npm ci --prefix .ci/node)")
    port = free_port()
    process = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "SCARF_ANALYTICS": "false"})
    for _ in range(300):                      # wait until it listens (up to ~30 s on a slow machine)
        if process.poll() is not None:
            raise RuntimeError(process.stdout.read().decode())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def test_requests_satisfy_the_sendgrid_contract_1000_per_request(prism, template):
    backend = SendGridBackend("SG.test-key", host=prism, retries=0)
    results = list(backend.send(messages(template, 2500)))
    assert backend.requests_made == 3
    assert {r.status for r in results} == {"queued"}, {r.detail for r in results}
    assert len(results) == 2500


def test_missing_api_key_is_a_setting_to_fix_not_a_refused_family(prism, template):
    from common.errors import ConfigError
    backend = SendGridBackend("", host=prism, retries=0)
    backend.client.client.request_headers.pop("Authorization", None)
    with pytest.raises(ConfigError) as caught:
        list(backend.send(messages(template, 1)))
    assert caught.value.setting == "SENDGRID_API_KEY" and "401" in str(caught.value)


def test_payload_uses_substitutions_custom_args_and_list_unsubscribe(template):
    body = SendGridBackend("SG.x").build_payload(messages(template, 2))
    first = body["personalizations"][0]
    assert first["substitutions"][tokens.UNSUBSCRIBE_URL] == "https://prefs.example.org/u/token0"
    assert first["custom_args"] == {"issue": "equity/2021-09-sept-oct", "lang": "en", "segment": "all-families",
                                    "subscriber": "0"}
    assert first["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "__UNSUBSCRIBE_URL_HTML__" in body["content"][1]["value"]   # the HTML is uploaded once, with tokens
    assert body["headers"]["Content-Language"] == "en" and "newsletter" in body["categories"]
    with pytest.raises(ValueError):
        SendGridBackend("SG.x").build_payload(messages(template, 1001))


def test_rate_limit_waits_until_reset_then_succeeds(template):
    waits = []
    with Stub([(429, {"X-RateLimit-Reset": "1000"}, {"errors": [{"message": "too many"}]}),
               (202, {"X-Message-Id": "abc123"}, None)]) as stub:
        backend = SendGridBackend("SG.x", host=stub.url, sleep=waits.append, clock=lambda: 990.0)
        results = list(backend.send(messages(template, 3)))
    assert waits == [10.0] and len(stub.requests) == 2
    assert [r.status for r in results] == ["queued"] * 3 and results[0].provider_id == "abc123"


def test_server_errors_are_retried_with_backoff_then_failed(template):
    waits = []
    with Stub([(503, {}, {"errors": [{"message": "unavailable"}]})]) as stub:
        backend = SendGridBackend("SG.x", host=stub.url, retries=2, retry_delay=1, sleep=waits.append)
        results = list(backend.send(messages(template, 2)))
    assert len(stub.requests) == 3 and waits == [1, 2]
    assert {r.status for r in results} == {"failed"} and "503" in results[0].detail


def test_a_400_for_the_whole_request_stops_the_run_with_the_api_message_and_rejects_nobody(template):
    from common.errors import SendingStopped
    with Stub([(400, {}, {"errors": [{"message": "The reply_to email does not contain a valid address."}]})]) as stub:
        with pytest.raises(SendingStopped) as caught:
            list(SendGridBackend("SG.x", host=stub.url, sleep=lambda _: None).send(messages(template, 2)))
    assert len(stub.requests) == 1
    assert "valid address" in str(caught.value) and "run the same command again" in str(caught.value)


def test_a_403_names_the_key_setting(template):
    from common.errors import ConfigError
    with Stub([(403, {}, {"errors": [{"message": "The from address does not match a verified Sender Identity"}]})]) \
            as stub, pytest.raises(ConfigError) as caught:
        list(SendGridBackend("SG.x", host=stub.url, sleep=lambda _: None).send(messages(template, 2)))
    assert caught.value.setting == "SENDGRID_API_KEY" and "verified Sender" in str(caught.value)


def test_missing_key_names_the_setting(monkeypatch):
    from common.errors import ConfigError
    monkeypatch.delenv("SENDGRID_API_KEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        SendGridBackend.from_settings(Settings.from_env())
    assert caught.value.setting == "SENDGRID_API_KEY"


def test_how_long_a_rate_limit_may_make_the_send_wait_is_a_setting(monkeypatch, template):
    """SENDGRID_MAX_WAIT: a reset 2 minutes away is waited for by default (300 s), and stops
    the send when staff set 60 s; a setting that is not a number is a message, not a traceback."""
    from common.errors import ConfigError, SendingStopped
    monkeypatch.setenv("SENDGRID_API_KEY", "SG.x")
    answers = [(429, {"X-RateLimit-Reset": "120"}, {"errors": [{"message": "too many requests"}]}),
               (202, {"X-Message-Id": "m"}, None)]
    slept = []
    with Stub(list(answers)) as stub:
        backend = SendGridBackend.from_settings(Settings.from_env(), host=stub.url, sleep=slept.append, clock=lambda: 0.0)
        list(backend.send(messages(template, 2)))
    assert len(stub.requests) == 2 and slept == [120.0]
    monkeypatch.setenv("SENDGRID_MAX_WAIT", "60")
    with Stub(list(answers)) as stub:
        backend = SendGridBackend.from_settings(Settings.from_env(), host=stub.url, sleep=slept.append, clock=lambda: 0.0)
        with pytest.raises(SendingStopped):
            list(backend.send(messages(template, 2)))
    for name, value in (("SENDGRID_MAX_WAIT", "5 minutes"), ("SENDGRID_RETRY_DELAY", "2s"), ("SENDGRID_RETRIES", "-1")):
        monkeypatch.setenv(name, value)
        with pytest.raises(ConfigError) as caught:
            SendGridBackend.from_settings(Settings.from_env())
        assert caught.value.setting == name and value in caught.value.problems[0].message
        monkeypatch.delenv(name)
