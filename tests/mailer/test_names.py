"""Names from rosters are data, never markup or headers: escaped in HTML, cleaned for To:."""
from __future__ import annotations


import pytest

from blocks.loader import load_issue
from mailer.backends.outbox import OutboxBackend
from mailer.backends.sendgrid import SendGridBackend
from mailer.send.personalize import MAX_NAME, clean_name
from mailer.store.subscribers import add_subscriber
from tests.mailer.http_stub import Stub
from tests.mailer.test_send import ROOT, outbox_files, read_eml, sender


@pytest.fixture(scope="module")
def issue():
    """An issue whose intro greets each family by name ("Dear Ana,")."""
    return load_issue(ROOT / "tests" / "fixtures" / "newsletters" / "every-block")

LINK = '<a href="https://evil.example/login">Verify</a> Smith'
NAMES = {"link@example.org": LINK, "altenter@example.org": "Ana\r\nPérez\x0b", "esc@example.org": "Bo\x1b[31m\x7f Li",
         "long@example.org": "Maria " * 33, "override@example.org": "Ali\u202eevil",
         "encoded@example.org": "=?utf-8?q?Ana=0D=0ABcc:_evil@example.org?=",
         "broken@example.org": "=?utf-8?x?Ana=0D=0A?="}


@pytest.fixture
def named(store):
    with store.write() as connection:
        for address, name in NAMES.items():
            add_subscriber(connection, address, status="subscribed", by="test", name=name, language="en")
    return store


def test_clean_name_drops_control_and_format_characters_and_caps_length():
    assert clean_name("Ana\r\nPérez\x00") == "Ana Pérez"
    assert clean_name("Bo\x1b[31m\x7f Li") == "Bo [31m Li"
    assert clean_name("Ali\u202eevil") == "Ali evil"
    assert len(clean_name("Maria " * 1000)) <= MAX_NAME and not clean_name("Maria " * 1000).endswith(" ")
    assert clean_name("=?utf-8?q?Ana=0D=0ABcc:_evil@example.org?=") == "Ana Bcc: evil@example.org"
    assert clean_name("=?utf-8?b?Sm9zw6kg?= =?utf-8?q?P=C3=A9rez?=") == "José Pérez"
    assert "=?" not in clean_name("=?utf-8?x?Ana=0D=0A?=")          # malformed: never kept as an encoded word


def test_every_odd_name_is_delivered_with_a_parsable_to_and_no_markup(issue, named, tmp_path):
    report = sender(issue, named, OutboxBackend(tmp_path, issue.key)).run(None)
    assert report.results == {"sent": len(NAMES)}
    files = outbox_files(tmp_path / issue.key)
    for address in NAMES:
        raw = files[address].read_bytes()
        assert all(len(line) <= 998 for line in raw.split(b"\r\n"))
        message = read_eml(files[address])
        assert message["To"].addresses[0].addr_spec == address and not message.defects
        assert "\n" not in message["To"].addresses[0].display_name and "Bcc" not in message.keys()
        html = message.get_body(("html",)).get_content()
        assert "evil.example/login" not in html or "&lt;a href=" in html
        assert '<a href="https://evil.example' not in html
    html = read_eml(files["link@example.org"]).get_body(("html",)).get_content()
    assert "&lt;a" in html                          # the greeting shows the name as text


def test_sendgrid_escapes_names_in_the_html_part_only(issue, named):
    with Stub([(202, {"X-Message-Id": "x"}, None)]) as stub:
        sender(issue, named, SendGridBackend("SG.x", host=stub.url)).run(None)
    body = stub.requests[0]["json"]
    html = body["content"][1]["value"]
    assert "__GREETING_HTML__" in html and "__GREETING__" not in html
    link = next(p for p in body["personalizations"] if p["to"][0]["email"] == "link@example.org")
    assert link["substitutions"]["__GREETING__"] == "Dear <a,"               # the text part: as written
    assert link["substitutions"]["__GREETING_HTML__"] == "Dear &lt;a,"      # the HTML part: escaped
    assert "<a" not in link["to"][0].get("name", "") or link["to"][0]["name"] == clean_name(LINK)
