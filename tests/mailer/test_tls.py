"""Real SMTP servers on 127.0.0.1 with TLS from a CA the test makes, and with AUTH."""
from __future__ import annotations

import ssl

import pytest
import trustme

from common.errors import ConfigError
from mailer.backends.smtp import SMTPBackend
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import families, issue, sender  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def authority():
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(authority):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    return context


@pytest.fixture
def ca_file(authority, tmp_path):
    path = tmp_path / "ca.pem"
    authority.cert_pem.write_to_path(str(path))
    return str(path)


def backend(port, **options) -> SMTPBackend:
    return SMTPBackend("127.0.0.1", port, retry_delay=0, sleep=lambda _: None, **options)


def test_a_private_ca_is_trusted_through_smtp_ca_file(issue, families, server_tls, ca_file):  # noqa: F811
    with SMTPSink(tls_context=server_tls) as sink:
        report = sender(issue, families, backend(sink.port, security="starttls", ca_file=ca_file)).run(None)
        assert report.results == {"sent": 5} and len(sink.per_address()) == 5


def test_an_untrusted_certificate_stops_the_send_at_once_naming_the_setting(issue, families,  # noqa: F811
                                                                           server_tls):
    with SMTPSink(tls_context=server_tls) as sink:
        with pytest.raises(ConfigError) as caught:
            sender(issue, families, backend(sink.port, security="starttls", pool=2)).run(None)
        assert caught.value.setting == "SMTP_CA_FILE" and "not trusted" in str(caught.value)
        assert sink.messages == []
    with families.read() as connection:
        from mailer.send.sendlog import send_log
        statuses = {row.status for row in connection.execute(send_log.select())}
    assert statuses <= {"failed"}                 # to send on the next run; nobody rejected


def test_a_refused_password_stops_the_send_and_the_fixed_rerun_reaches_everyone(issue, families,  # noqa: F811
                                                                             server_tls, ca_file):
    with SMTPSink(tls_context=server_tls, password="right") as sink:
        wrong = backend(sink.port, security="starttls", ca_file=ca_file, user="equity", password="wrong")
        with pytest.raises(ConfigError) as caught:
            sender(issue, families, wrong).run(None)
        assert caught.value.setting == "SMTP_PASSWORD" and "535" in str(caught.value)
        right = backend(sink.port, security="starttls", ca_file=ca_file, user="equity", password="right")
        report = sender(issue, families, right).run(None)
        assert report.results == {"sent": 5}
        assert len(sink.per_address()) == 5 and set(sink.per_address().values()) == {1}


def test_a_server_that_is_down_stops_the_send_after_a_few_tries(issue, families):  # noqa: F811
    from common.errors import SendingStopped
    from tests.mailer.smtp_sink import free_port
    with pytest.raises(SendingStopped) as caught:
        sender(issue, families, backend(free_port(), security="none", pool=1)).run(None)
    assert "cannot reach the server" in str(caught.value)
