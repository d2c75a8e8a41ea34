"""`compose.py staff add/list/remove/reset`: accounts, roles and one-time sign-in links."""
from __future__ import annotations

import re

from click.testing import CliRunner

import compose


def test_staff_commands(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_DB", f"sqlite:///{tmp_path / 'store.db'}")
    monkeypatch.delenv("NEWSLETTER_STUDIO_SECRET", raising=False)
    runner = CliRunner()

    def run(*args):
        return runner.invoke(compose.cli, list(args), catch_exceptions=False)

    added = run("staff", "add", "Maria@Example.org", "--name", "Maria Lopez", "--role", "editor",
                "--publication", "equity", "--publication", "food")
    assert added.exit_code == 0, added.output
    link = re.search(r"http://127\.0\.0\.1:8100/set-password/(\S+)", added.output)
    assert link and "24 hours" in added.output
    listing = run("staff", "list").output
    assert "maria@example.org" in listing and "editor of equity" in listing and "(no password yet)" in listing
    assert run("staff", "add", "maria@example.org", "--name", "M", "--role", "editor",
               "--publication", "equity").exit_code == 1                                   # already there
    assert run("staff", "add", "x@example.org", "--name", "X", "--role", "editor").exit_code == 2   # no publication
    admin = run("staff", "add", "boss@example.org", "--name", "Boss", "--role", "admin")
    assert admin.exit_code == 0 and "editor" not in run("staff", "list").output.split("boss@example.org")[1].split("\n")[0]
    reset = run("staff", "reset", "maria@example.org")
    assert reset.exit_code == 0 and link[1] not in reset.output and "/set-password/" in reset.output
    assert run("staff", "remove", "maria@example.org").exit_code == 0
    assert "maria@" not in run("staff", "list").output
    missing = run("staff", "remove", "maria@example.org")
    assert missing.exit_code == 1 and "no staff account" in missing.output
