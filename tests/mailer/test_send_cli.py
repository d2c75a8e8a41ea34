"""The staff workflow of `compose.py send`: plan, proofs, confirmation, progress, a true report."""
from __future__ import annotations

import csv
import email
import json
from email import policy

import pytest

from mailer.backends.sendgrid import SendGridBackend
from tests.mailer.http_stub import Stub
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import ISSUE_DIR, SIGNER, families, issue, sender  # noqa: F401


@pytest.fixture
def send(run, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_SECRET", SIGNER.secret)
    monkeypatch.setenv("NEWSLETTER_BASE_URL", SIGNER.base_url)

    def invoke(*args):
        return run("send", ISSUE_DIR, "--to", "all-families", "--outbox", tmp_path / "outbox",
                   "--reports", tmp_path / "reports", *args)
    return invoke


def test_without_a_terminal_a_real_send_refuses_unless_yes(families, send, tmp_path):  # noqa: F811
    refused = send()
    assert refused.exit_code == 1 and "add --yes" in refused.stderr
    assert "5 families" in refused.stdout or "families" in refused.stdout        # the plan was shown first
    assert not (tmp_path / "outbox" / "equity" / "2021-09-sept-oct").exists()
    done = send("--yes")
    assert done.exit_code == 0, done.output
    assert len(list((tmp_path / "outbox" / "equity" / "2021-09-sept-oct").rglob("*.eml"))) == 5


def test_proofs_go_to_staff_only_marked_test_and_are_shown_before_the_real_send(families, send, tmp_path):  # noqa
    proofs = send("--test-to", "staff@example.org")
    assert proofs.exit_code == 0, proofs.output
    files = sorted((tmp_path / "outbox" / "proofs" / "equity" / "2021-09-sept-oct").rglob("*.eml"))
    assert {f.parent.name for f in files} == {"en", "es", "ar", "pt", "ur"}    # pt, ur: machine editions
    message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["Subject"].startswith("[TEST] ") and message["To"].addresses[0].addr_spec == "staff@example.org"
    assert not (tmp_path / "outbox" / "equity" / "2021-09-sept-oct" / "en").exists()       # no family got anything
    plan = send()
    assert "Proofs sent: ar, en, es, pt, ur" in plan.stdout
    assert "      1 family " in plan.stdout and "1 families" not in plan.stdout    # one family per language here
    again = send("--yes")
    assert "total" in again.stdout and again.exit_code == 0


def test_the_report_is_true_per_language_and_kept_as_json(families, send, tmp_path):  # noqa: F811
    result = send("--yes")
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()
            if line.split() and line.split()[0] in ("en", "es", "ar", "total")}
    assert rows["total"][:2] == ["5", "5"] and rows["en"][:2] == ["1", "1"]    # Portuguese, Urdu: pt, ur
    [saved] = (tmp_path / "reports" / "equity" / "2021-09-sept-oct").glob("send-*.json")
    data = json.loads(saved.read_text())
    assert data["languages"]["total"]["sent"] == 5 and data["segment"] == "all-families"
    assert data["languages"]["es"] == {"planned": 1, "sent": 1, "queued": 0, "rejected": 0, "invalid": 0,
                                       "failed": 0, "in_doubt": 0}


def test_report_failures_lists_every_family_not_reached_with_the_reason(issue, families, run, tmp_path):  # noqa
    from mailer.backends.smtp import SMTPBackend
    with SMTPSink() as sink:
        sink.refuse["omar@example.org"] = [550]
        sender(issue, families, SMTPBackend("127.0.0.1", sink.port, security="none", retry_delay=0,
                                            sleep=lambda _: None)).run(None)
    out = tmp_path / "failures.csv"
    result = run("report", ISSUE_DIR, "--failures", "--csv", out, "--out", tmp_path / "report.html")
    assert result.exit_code == 0, result.output
    assert "omar@example.org" in result.stdout and "rejected" in result.stdout and "550" in result.stdout
    [row] = list(csv.DictReader(out.open(encoding="utf-8")))
    assert row["email"] == "omar@example.org" and row["status"] == "rejected" and row["reason"].startswith("550")
    assert "rejected" in (tmp_path / "report.html").read_text()


def test_sendgrid_requests_are_packed_per_language_across_store_pages(issue, store, write_roster, run):  # noqa
    rows = [[f"f{i}@example.org", "", ["Spanish", "English", "Arabic"][i % 3], "Aiken", "1"] for i in range(300)]
    assert run("subscribers", "import", write_roster(rows)).exit_code == 0
    with Stub([(202, {"X-Message-Id": "x"}, None)]) as stub:
        backend = SendGridBackend("SG.x", host=stub.url)
        backend.batch_size = 100                     # store pages of 100 families, requests of up to 100
        report = sender(issue, store, backend).run(None)
    assert report.results == {"queued": 300}
    assert len(stub.requests) == 3                   # one per language; a page at a time would make 9
    assert sorted(len(r["json"]["personalizations"]) for r in stub.requests) == [100, 100, 100]


def test_a_real_send_refuses_pseudo_translations_made_by_a_local_stub(families, run, tmp_path, monkeypatch):  # noqa
    monkeypatch.setenv("NEWSLETTER_SECRET", SIGNER.secret)
    monkeypatch.setenv("NEWSLETTER_BASE_URL", SIGNER.base_url)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", "9")                     # never reached: refused before any connection
    result = run("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--skip-link-check",
                 "--reports", tmp_path / "reports")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "the machine translations in pt, ur were made by" in result.stderr and "127.0.0.1" in result.stderr
    assert "families would get text they cannot read" in result.stderr and "nothing was sent" in result.stderr


def test_a_run_that_found_the_rest_taken_by_another_run_does_not_say_everyone_has_it(capsys):
    from cli.send_output import print_report
    from mailer.send.run_report import SendReport
    from types import SimpleNamespace
    from blocks.loader import load_issue
    from tests.mailer.test_send import ISSUE_DIR
    setup = SimpleNamespace(backend_name="smtp", issue=load_issue(ISSUE_DIR), web_url="https://example.org/x")
    print_report(setup, SendReport(busy=75))
    out = capsys.readouterr().out
    assert "Being sent by another run right now: 75" in out
    assert "another run is sending to the other 75 families" in out and "every family" not in out
