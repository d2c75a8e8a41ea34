"""The command line as staff use it: plain messages, exit codes, nothing half-written."""
import subprocess
import sys

from tests.conftest import ROOT, SAMPLE

COMPOSE = str(ROOT / "compose.py")


def run(*args, cwd=None):
    return subprocess.run([sys.executable, COMPOSE, *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_check_sample_issue_is_clean():
    result = run("check", SAMPLE)
    assert result.returncode == 0, result.stderr
    assert "no problems" in result.stdout


def test_check_reports_the_three_acceptance_problems(make_issue):
    folder = make_issue("""\
        period: October 2021
        subject: Test
        preheader: Test
        blocks:
          - type: evnt
            id: kickoff
            title: Kick off
          - type: event
            id: taxes
            title: Tax credit session
            start: 2021-09-31T18:00
        """)
    result = run("check", folder)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "issue.yaml:1: title: 'title' is required" in result.stderr
    assert "issue.yaml:5: blocks[0].type: unknown block type 'evnt'" in result.stderr
    assert "issue.yaml:11: blocks[1].start: '2021-09-31T18:00' is not a valid date" in result.stderr
    assert "3 problems found" in result.stderr


def test_missing_folder_is_a_message_not_a_traceback(tmp_path):
    result = run("check", tmp_path / "nope")
    assert result.returncode == 1 and "no such issue folder" in result.stderr and "Traceback" not in result.stderr


def test_build_writes_previews_calendars_and_index(tmp_path):
    out = tmp_path / "out"
    result = run("build", SAMPLE, "--out", out)
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    for lang in ("en", "es"):
        assert {f"{lang}.html", f"{lang}.txt", f"kickoff-{lang}.ics", f"foodshare-october-{lang}.ics"} <= names
    assert {"ar.html", "ar.txt", "kickoff-ar.ics"} <= names
    # Foodshare is not yet in Arabic: the English section offers the English calendar file
    assert "foodshare-october-ar.ics" not in names and 'href="./foodshare-october-en.ics"' in (out / "ar.html").read_text()
    assert "index.html" in names
    assert "en " in result.stdout and "Welcome back!" in result.stdout
    html = (out / "en.html").read_text()
    assert "__UNSUBSCRIBE_URL__" not in html and "#preview-unsubscribe-link" in html
    assert 'href="./kickoff-en.ics"' in html
    index = (out / "index.html").read_text()
    assert 'href="en.html"' in index and 'src="ar.html"' in index


def test_build_defaults_to_build_folder(tmp_path):
    result = run("build", SAMPLE, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "build" / "equity" / "2021-09-sept-oct" / "en.html").exists()


def test_failed_build_leaves_previous_output_untouched(make_issue, tmp_path):
    good = make_issue("title: T\nperiod: P\nsubject: S\npreheader: H\nblocks:\n"
                      "  - {type: text, id: a, body: First version}\n", name="issue")
    out = tmp_path / "out"
    assert run("build", good, "--out", out).returncode == 0
    (good / "issue.yaml").write_text("title: T\nperiod: P\nsubject: S\npreheader: H\nblocks:\n"
                                     "  - {type: txt, id: a, body: Second}\n")
    result = run("build", good, "--out", out)
    assert result.returncode == 1 and "nothing was written" in result.stderr
    assert "First version" in (out / "en.html").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_build_warns_when_html_may_be_clipped_by_gmail(make_issue, tmp_path):
    paragraph = "Families are invited to read this long paragraph about the many programs we offer. " * 8
    blocks = "".join(f"  - type: text\n    id: t{i}\n    heading: Section {i}\n    body: {paragraph}\n"
                     for i in range(120))
    folder = make_issue("title: T\nperiod: P\nsubject: S\npreheader: H\nblocks:\n" + blocks)
    result = run("build", folder, "--out", tmp_path / "out")
    assert result.returncode == 0
    assert "warning: en.html is" in result.stderr and "Gmail clips" in result.stderr
