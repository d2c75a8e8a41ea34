"""`publish --to DIR` writes files a web server running as another user can read (the process
umask, as `cp` would), and a symlink left in DIR neither crashes this publish nor the next."""
from __future__ import annotations

import os
import stat

import pytest

from tests.web.conftest import ISSUE


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def modes(out) -> set[tuple[str, str]]:
    return {(("d" if p.is_dir() else "f"), oct(stat.S_IMODE(p.stat().st_mode))) for p in [out, *out.rglob("*")]}


def test_published_files_are_readable_by_the_web_server(families, send, run, newsletters, tmp_path, umask_022):
    assert send().exit_code == 0
    out = tmp_path / "site"
    for _ in range(2):                                           # written, then replaced
        result = run("publish", newsletters / "equity" / ISSUE, "--to", out)
        assert result.exit_code == 0, result.output
        assert modes(out) == {("d", "0o755"), ("f", "0o644")}


def test_a_symlink_left_in_the_folder_does_not_break_publishing(families, send, run, newsletters, tmp_path):
    assert send().exit_code == 0
    out, elsewhere = tmp_path / "site", tmp_path / "elsewhere"
    assert run("publish", newsletters / "equity" / ISSUE, "--to", out).exit_code == 0
    (out / ISSUE).rename(elsewhere)
    (out / ISSUE).symlink_to(elsewhere)                             # someone linked the issue's folder
    (out / "feed.atom").unlink()
    (out / "feed.atom").symlink_to(tmp_path / "nowhere.atom")      # and left a dangling link
    (out / f".{ISSUE}-old").symlink_to(elsewhere)                  # and a link where the old copy goes
    for _ in range(2):
        result = run("publish", newsletters / "equity" / ISSUE, "--to", out)
        assert result.exit_code == 0 and "Traceback" not in result.output, result.output
        assert (out / ISSUE).is_dir() and not (out / ISSUE).is_symlink() and (out / ISSUE / "en.html").is_file()
        assert (out / "feed.atom").is_file() and not (out / "feed.atom").is_symlink()
        assert not [p for p in out.iterdir() if p.name.startswith(".")]
    assert (elsewhere / "en.html").is_file()                       # what the links pointed at is left alone


def test_a_folder_that_is_a_dangling_link_is_refused_with_what_to_do(families, send, run, newsletters, tmp_path):
    assert send().exit_code == 0
    out = tmp_path / "site"
    out.symlink_to(tmp_path / "gone")
    result = run("publish", newsletters / "equity" / ISSUE, "--to", out)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "is a link to" in result.stderr and "gone" in result.stderr
