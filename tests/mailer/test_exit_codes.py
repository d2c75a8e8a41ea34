"""The exit codes of README's table, each as a user meets it (compose.py is the only place that
sets them: common.errors says what happened, compose.Commands.main says which code)."""
from __future__ import annotations

import re
from pathlib import Path

from common.yaml_source import display_path
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import ISSUE_DIR, ROOT, SIGNER, compose, families  # noqa: F401 (a fixture)


def test_zero_when_done_and_two_for_a_usage_error(tmp_path):
    assert compose("check", ISSUE_DIR, env={}).returncode == 0
    wrong = compose("send", ISSUE_DIR, "--to", "all-families", "--no-such-option", env={})
    assert wrong.returncode == 2 and "No such option '--no-such-option'" in wrong.stderr


def test_one_for_a_user_mistake(tmp_path):
    missing = compose("check", tmp_path / "no-such-issue", env={})
    assert missing.returncode == 1 and "Traceback" not in missing.stderr


def test_three_when_some_families_were_not_reached_naming_the_report(families, store_url, tmp_path):
    with SMTPSink() as sink:
        sink.refuse["omar@example.org"] = [550]
        env = {"NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
               "SMTP_SECURITY": "none", "NEWSLETTER_SECRET": SIGNER.secret, "SMTP_RETRY_DELAY": "0",
               "NEWSLETTER_BASE_URL": "https://prefs.example.org"}
        done = compose("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--skip-link-check",
                       "--allow-local-translations", "--reports", tmp_path / "reports",
                       env={**env, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")})
    assert done.returncode == 3, done.stderr
    report = re.search(r"the report: (\S+\.json)", done.stderr)
    assert report and Path(report.group(1)).is_file() and "1 family did not get it" in done.stderr
    assert f"python compose.py report {display_path(ISSUE_DIR)} --failures lists each" in done.stderr  # the real path


def test_four_when_the_store_cannot_be_reached(tmp_path):
    unreachable = compose("subscribers", "show", "a@example.org",
                          env={"NEWSLETTER_DB": "postgresql+psycopg://nobody:x@127.0.0.1:1/none"})
    assert unreachable.returncode == 4, unreachable.stderr
    assert "cannot open the subscriber store" in unreachable.stderr and "Traceback" not in unreachable.stderr


def test_seventy_for_a_bug_with_the_traceback_in_a_file(monkeypatch, capsys):
    import compose as face

    @face.cli.command("explode")
    def explode():
        raise ZeroDivisionError("a bug")

    try:
        code = face.cli.main(["explode"], standalone_mode=False)
    finally:
        face.cli.commands.pop("explode")
    err = capsys.readouterr().err
    assert code == 70 and "internal error: ZeroDivisionError: a bug" in err and "Traceback" not in err
    saved = Path(re.search(r"the details are in (\S+);", err).group(1))
    assert "ZeroDivisionError" in saved.read_text() and "Traceback" in saved.read_text()
    saved.unlink()
