"""Backends as build_payload -> post -> parse, the shared retry policy, and what the sender does
with each kind of error: a refused key stops the send and loses nobody."""
from __future__ import annotations

import email
from email import policy

import pytest

from common.errors import ConfigError, ProviderError, SendingStopped, TransientError
from mailer.backends.retry import RetryPolicy
from mailer.backends.sendgrid import SendGridBackend
from mailer.backends.smtp import SMTPBackend
from mailer.send.sendlog import send_log
from tests.mailer.http_stub import Stub
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import families, issue, sender  # noqa: F401 (fixtures)
from tests.mailer.test_sendgrid import messages, template  # noqa: F401 (fixture)
from common.settings import Settings


def flaky(*errors):
    """A function that raises `errors` in turn, then returns "done"; counts its calls."""
    queue = list(errors)

    def call():
        call.count += 1
        if queue:
            raise queue.pop(0)
        return "done"
    call.count = 0
    return call


def test_retry_policy_doubles_its_wait_and_honours_a_requested_one():
    waits = []
    policy_ = RetryPolicy(retries=3, delay=1, sleep=waits.append)
    call = flaky(TransientError("503"), TransientError("429", retry_after=7), TransientError("503"))
    assert policy_.call(call) == "done" and call.count == 4
    assert waits == [1, 7, 4]


def test_retry_policy_gives_up_and_never_retries_permanent_or_setting_errors():
    waits = []
    policy_ = RetryPolicy(retries=2, delay=1, sleep=waits.append)
    with pytest.raises(TransientError):
        policy_.call(flaky(*[TransientError("503")] * 5))
    assert waits == [1, 2]
    for error in (ProviderError("400 bad"), ConfigError("SENDGRID_API_KEY", "refused", "fix it")):
        call = flaky(error)
        with pytest.raises(type(error)):
            policy_.call(call)
        assert call.count == 1


def test_a_rate_limit_reset_a_day_away_stops_the_run_with_when_to_rerun():
    waits = []
    call = flaky(TransientError("429", retry_after=86_400))
    with pytest.raises(SendingStopped) as caught:
        RetryPolicy(retries=5, max_wait=300, sleep=waits.append).call(call)
    assert waits == [] and call.count == 1
    assert "rerun the same command after" in str(caught.value)


def test_an_unreachable_server_stops_the_run_after_a_few_tries_not_per_family():
    waits = []
    call = flaky(*[TransientError("connection refused", unreachable=True)] * 10)
    with pytest.raises(SendingStopped) as caught:
        RetryPolicy(retries=5, delay=1, unreachable_attempts=3, sleep=waits.append).call(call)
    assert call.count == 3 and waits == [1, 2] and "cannot reach the server" in str(caught.value)


def test_sendgrid_payload_carries_the_same_headers_as_the_mime_message(template):
    [message] = messages(template, 1)
    body = SendGridBackend("SG.x").build_payload([message])
    mime = email.message_from_bytes(template.render(message.envelope), policy=policy.default)
    personal = body["personalizations"][0]["headers"]
    assert personal["Message-ID"] == mime["Message-ID"] == "<x.0@example.org>"
    assert personal["List-Unsubscribe"] == mime["List-Unsubscribe"]
    assert personal["List-Unsubscribe-Post"] == mime["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert body["headers"]["List-Id"] == mime["List-Id"]
    assert body["headers"]["Content-Language"] == mime["Content-Language"] == "en"


def test_one_oversized_family_does_not_spoil_the_request_for_the_others(template):
    batch = messages(template, 3)
    huge = batch[1].envelope.values | {"__FIRST_NAME__": "x" * 12_000}
    batch[1] = type(batch[1])(1, batch[1].email, template, type(batch[1].envelope)(
        batch[1].envelope.to_email, "x", batch[1].envelope.message_id, huge, batch[1].envelope.list_unsubscribe),
        batch[1].custom_args)
    with Stub([(202, {"X-Message-Id": "ok"}, None)]) as stub:
        results = {r.subscriber_id: r.status for r in SendGridBackend("SG.x", host=stub.url).send(batch)}
    assert results == {0: "queued", 1: "invalid", 2: "queued"}
    assert len(stub.requests[0]["json"]["personalizations"]) == 2


def logged_statuses(store, slug):
    with store.read() as connection:
        return sorted(row.status for row in connection.execute(
            send_log.select().where(send_log.c.issue == slug)))


def test_a_refused_sendgrid_key_stops_the_send_and_a_rerun_reaches_every_family(issue, families):  # noqa: F811
    with Stub([(401, {}, {"errors": [{"message": "The provided authorization grant is invalid"}]})]) as stub:
        with pytest.raises(ConfigError) as caught:
            sender(issue, families, SendGridBackend("SG.wrong", host=stub.url)).run(None)
    assert caught.value.setting == "SENDGRID_API_KEY" and "401" in str(caught.value)
    assert "run the same command again" in caught.value.outcome
    assert "rejected" not in logged_statuses(families, issue.key)
    with Stub([(202, {"X-Message-Id": "abc"}, None)]) as stub:
        report = sender(issue, families, SendGridBackend("SG.right", host=stub.url)).run(None)
    assert report.results == {"queued": 5} and logged_statuses(families, issue.key) == ["queued"] * 5
    sent_to = [p["to"][0]["email"] for r in stub.requests for p in r["json"]["personalizations"]]
    assert sorted(sent_to) == sorted(set(sent_to)) and len(sent_to) == 5


def test_a_refused_smtp_login_stops_the_send_and_a_rerun_reaches_every_family(issue, families):  # noqa: F811
    with SMTPSink() as sink:
        sink.refuse["ana@example.org"] = [535]
        backend = SMTPBackend("127.0.0.1", sink.port, security="none", pool=1, retry_delay=0, sleep=lambda _: None)
        with pytest.raises(ConfigError) as caught:
            sender(issue, families, backend).run(None)
        assert caught.value.setting == "SMTP_PASSWORD"
        assert "rejected" not in logged_statuses(families, issue.key)
        again = SMTPBackend("127.0.0.1", sink.port, security="none", retry_delay=0, sleep=lambda _: None)
        sender(issue, families, again).run(None)
        assert len(sink.per_address()) == 5 and set(sink.per_address().values()) == {1}


def test_an_address_with_a_non_ascii_local_part_is_delivered_with_smtputf8(issue, families, run,  # noqa: F811
                                                                          write_roster):
    result = run("subscribers", "import", write_roster([["josé@example.org", "José Núñez", "Spanish", "Aiken", "1"]],
                                                       name="more.csv"))
    assert result.exit_code == 0, result.output
    with SMTPSink() as sink:
        backend = SMTPBackend("127.0.0.1", sink.port, security="none", retry_delay=0, sleep=lambda _: None)
        report = sender(issue, families, backend).run(None)
        assert report.results == {"sent": 6}
        [raw] = [content for _, rcpts, content in sink.messages if rcpts == ["josé@example.org"]]
        message = email.message_from_string(raw.decode("utf-8"), policy=policy.default)   # RFC 6532: UTF-8 headers
        assert message["To"].addresses[0].addr_spec == "josé@example.org"
        assert str(message["To"].addresses[0].display_name) == "José Núñez"


def test_without_smtputf8_only_that_family_is_refused(issue, families, run, write_roster):  # noqa: F811
    run("subscribers", "import", write_roster([["josé@example.org", "José", "Spanish", "Aiken", "1"]], name="m.csv"))
    with SMTPSink(smtputf8=False) as sink:
        backend = SMTPBackend("127.0.0.1", sink.port, security="none", retry_delay=0, sleep=lambda _: None)
        report = sender(issue, families, backend).run(None)
    assert report.results == {"sent": 5, "invalid": 1}


def test_a_sendgrid_429_with_a_reset_hours_away_stops_the_run_and_leaves_families_to_send(issue,  # noqa: F811
                                                                                         families):
    with Stub([(429, {"X-RateLimit-Reset": "100000"}, {"errors": [{"message": "too many requests"}]})]) as stub:
        backend = SendGridBackend("SG.x", host=stub.url, sleep=lambda _: None, clock=lambda: 0.0)
        with pytest.raises(SendingStopped) as caught:
            sender(issue, families, backend).run(None)
    assert len(stub.requests) == 1 and "rerun the same command after" in str(caught.value)
    assert set(logged_statuses(families, issue.key)) == {"failed"}       # to send on the next run


@pytest.mark.parametrize("name, value", [("SMTP_RETRY_DELAY", "2s"), ("SMTP_TIMEOUT", "-5"), ("SMTP_POOL", "four"),
                                         ("SMTP_RETRIES", "nan")])
def test_a_mistyped_smtp_setting_is_a_message_naming_it_not_a_traceback(monkeypatch, name, value):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        SMTPBackend.from_settings(Settings.from_env())
    assert caught.value.setting == name and f"'{value}' is not" in caught.value.problems[0].message
