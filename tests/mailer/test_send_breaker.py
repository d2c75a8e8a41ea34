"""The circuit breaker (issue 25, fault 2): a server refusing every recipient with the same reply is
a setting (a relay, the sender's domain), not that many bad addresses. The run stops naming the
reply, and those families are failed (the fixed rerun sends to them), not rejected for good."""
from __future__ import annotations

import pytest

from common.errors import ConfigError
from mailer.backends.smtp import SMTPBackend
from mailer.store.tables import send_log
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import FAMILIES, ISSUE_DIR, ROOT, SIGNER, compose, families, issue, sender  # noqa: F401

ADDRESSES = [row[0] for row in FAMILIES]


def statuses(store, key):
    with store.read() as connection:
        return {r.email: (r.status, r.detail) for r in connection.execute(send_log.select().where(
            send_log.c.issue == key))}


def smtp(sink):
    return SMTPBackend("127.0.0.1", sink.port, security="none", retry_delay=0, sleep=lambda _: None, pool=2)


def test_the_first_recipients_all_refused_alike_stop_the_run_as_a_setting_and_stay_retryable(issue, families):
    with SMTPSink() as sink:
        for address in ADDRESSES:
            sink.refuse[address] = [550]
        with pytest.raises(ConfigError) as stopped:
            sender(issue, families, smtp(sink), refusal_limit=3).run(None)
        message = stopped.value.problems[0].message
        assert "refused the first 3 recipients" in message and "550 no such user" in message
        assert "SMTP_HOST" in str(stopped.value.problems[0]) and "sender's domain" in stopped.value.problems[0].hint
        found = statuses(families, issue.key)
        assert {status for status, _ in found.values()} == {"failed"}     # none rejected for good
        sink.refuse.clear()                                               # the relay fixed: the rerun
        again = sender(issue, families, smtp(sink), refusal_limit=3).run(None)
    assert again.results == {"sent": 5} and sink.per_address() == {a: 1 for a in ADDRESSES}


def test_refusals_among_deliveries_are_the_addresses_own(issue, families):
    with SMTPSink() as sink:
        for address in ADDRESSES[1:]:
            sink.refuse[address] = [550]
        report = sender(issue, families, smtp(sink), refusal_limit=3).run(None)
    assert report.results == {"sent": 1, "rejected": 4}        # not all alike from the start: the addresses'
    assert sorted(s for s, _ in statuses(families, issue.key).values()).count("rejected") == 4


def test_the_limit_is_a_setting_and_the_command_exits_1_naming_the_reply(families, store_url, tmp_path):  # noqa
    with SMTPSink() as sink:
        for address in ADDRESSES:
            sink.refuse[address] = [550]
        env = {"NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
               "SMTP_SECURITY": "none", "SMTP_POOL": "1", "NEWSLETTER_SECRET": SIGNER.secret,
               "NEWSLETTER_BASE_URL": SIGNER.base_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml"),
               "NEWSLETTER_SEND_REFUSALS": "4"}
        stopped = compose("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes",
                          "--skip-link-check", "--allow-local-translations", "--reports", tmp_path, env=env)
    assert stopped.returncode == 1, stopped.stdout + stopped.stderr
    assert "refused the first 4 recipients of this run with the same reply: 550 no such user" in stopped.stderr
    assert "Traceback" not in stopped.stderr
