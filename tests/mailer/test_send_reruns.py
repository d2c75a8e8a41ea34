"""Reruns tell the truth (issue 25, fault 2): with families of the segment rejected, failed or in
doubt, a rerun lists them by status with the command for each and exits 3; "Nothing to send:
every family already has this issue" only when every family of the segment has it."""
from __future__ import annotations

import json

from mailer.backends.backend import SendResult
from mailer.send import sendlog
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import ISSUE_DIR, ROOT, SIGNER, compose, families, issue  # noqa: F401 (fixtures)


def smtp(store_url, sink, reports):
    env = {"NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
           "SMTP_SECURITY": "none", "NEWSLETTER_SECRET": SIGNER.secret, "SMTP_RETRY_DELAY": "0",
           "NEWSLETTER_BASE_URL": SIGNER.base_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}
    return lambda *more: compose("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes",
                                 "--skip-link-check", "--allow-local-translations", "--reports", reports, *more,
                                 env=env)


def test_a_rerun_with_rejected_families_left_lists_them_with_the_command_and_exits_3(families, store_url, tmp_path):
    with SMTPSink() as sink:
        sink.refuse["omar@example.org"] = [550]
        send = smtp(store_url, sink, tmp_path / "reports")
        first = send()
        assert first.returncode == 3, first.stderr
        rerun = send()
        assert rerun.returncode == 3, rerun.stdout + rerun.stderr
        assert "every family" not in rerun.stdout
        assert "rejected" in rerun.stdout and "--retry-failed" in rerun.stdout
        assert "4 have it" in rerun.stdout and "1 not reached" in rerun.stdout
        retried = send("--retry-failed")                    # the server now takes omar
        assert retried.returncode == 0, retried.stdout + retried.stderr
        assert sink.per_address()["omar@example.org"] == 1
        done = send()
        assert done.returncode == 0 and "Nothing to send: every family of this segment already has this issue" \
            in done.stdout


def test_a_rerun_with_families_in_doubt_names_resend_in_doubt_and_its_duplicate_warning(issue, families,  # noqa: F811
                                                                                       store_url, tmp_path):
    with families.write() as connection:
        ana = families.get("ana@example.org").id
        sendlog.claim(connection, issue.key, [{"subscriber_id": ana, "email": "ana@example.org", "language": "es",
                                               "segment": "all-families", "backend": "sendgrid",
                                               "message_id": "<ana>"}], "dead-host:1:x", sendlog.PENDING, {})
        sendlog.record(connection, issue.key, [SendResult(ana, sendlog.IN_DOUBT)])
    with SMTPSink() as sink:
        send = smtp(store_url, sink, tmp_path / "reports")
        first = send()
        assert first.returncode == 3, first.stdout + first.stderr
        again = send()
        assert again.returncode == 3 and "every family" not in again.stdout
        assert "in doubt" in again.stdout and "--resend-in-doubt" in again.stdout and "twice" in again.stdout
        [saved, *_] = sorted((tmp_path / "reports").rglob("send-*.json"))
        standing = json.loads(saved.read_text())["segment_standing"]
        assert standing == {"families": 5, "delivered": 4, "held": 0, "busy_elsewhere": 0,
                            "not_reached": {"in_doubt": 1}}


def test_report_failures_lists_every_family_of_the_segment_not_reached_whatever_run_touched_it_or_none(
        issue, families, run, tmp_path):  # noqa: F811
    """Issue 25, fault 6: after a stopped run, `report --failures` listed only what the log held."""
    from mailer.backends.smtp import SMTPBackend
    from tests.mailer.test_send import sender
    asked = []

    def stop_after_the_first_batch():
        asked.append(1)
        return len(asked) > 3                         # two batches (ar: omar refused, en: joe), then stopped
    with SMTPSink() as sink:
        sink.refuse["omar@example.org"] = [550]
        report = sender(issue, families, SMTPBackend("127.0.0.1", sink.port, security="none", retry_delay=0,
                                                     sleep=lambda _: None), cancel=stop_after_the_first_batch).run(None)
    assert report.results == {"rejected": 1, "sent": 1} and report.stopped
    assert report.not_reached == {"rejected": 1, "pending": 3}
    listed = run("report", ISSUE_DIR, "--failures", "--out", tmp_path / "r.html")
    assert listed.exit_code == 0, listed.output
    lines = {line.split()[0]: line.split()[2] for line in listed.stdout.splitlines()
             if line.startswith("  ") and "@" in line}
    assert lines == {"omar@example.org": "rejected", "ana@example.org": "pending", "rui@example.org": "pending",
                     "sana@example.org": "pending"}
    assert "Families who did not get it: 4 (pending 3, rejected 1)" in listed.stdout
    from workflows.reporting import failures
    from common.settings import Settings
    import os
    settings = Settings.from_env(os.environ)
    assert len(failures(settings, ISSUE_DIR, ["all-families"])) == 4


def test_sendgrid_refuses_a_non_ascii_local_part_before_the_request_and_smtp_then_delivers_it(
        issue, store, write_roster, run):  # noqa: F811
    """Issue 25, fault 8: josé@... was posted to SendGrid (which answers 202, then drops it) and
    counted as handed over."""
    from mailer.backends.sendgrid import SendGridBackend
    from mailer.backends.smtp import SMTPBackend
    from tests.mailer.http_stub import Stub
    from tests.mailer.test_send import sender
    rows = [["josé@example.org", "José", "Spanish", "Aiken", "2"], ["ana@example.org", "Ana", "Spanish", "Aiken", "2"]]
    assert run("subscribers", "import", write_roster(rows)).exit_code == 0
    with Stub([(202, {"X-Message-Id": "x"}, None)]) as stub:
        report = sender(issue, store, SendGridBackend("SG.x", host=stub.url)).run(None)
    posted = [p["to"][0]["email"] for r in stub.requests for p in r["json"]["personalizations"]]
    assert posted == ["ana@example.org"]
    assert report.results == {"queued": 1, "invalid": 1} and report.not_reached == {"invalid": 1}
    from mailer.reports.reach import failures
    [row] = failures(store, issue.key)
    assert row["email"] == "josé@example.org" and row["status"] == "invalid" and "SendGrid" in row["reason"] \
        and row["backend"] == "sendgrid"
    with SMTPSink() as sink:                           # offers SMTPUTF8
        again = sender(issue, store, SMTPBackend("127.0.0.1", sink.port, security="none"), retry_failed=True).run(None)
    assert again.results == {"sent": 1} and list(sink.per_address()) == ["josé@example.org"]
