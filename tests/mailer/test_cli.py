"""The `subscribers` and `audience` commands, as staff run them."""
import csv
import io
import os
import subprocess
import sys

from tests.mailer.conftest import AUDIENCES, FIXTURES, ROOT


def first_email() -> str:
    with open(FIXTURES / "roster_sample.csv", encoding="utf-8") as roster:
        return next(csv.DictReader(roster))["Parent Email"]


def test_import_report_and_reimport(run):
    first = run("subscribers", "import", FIXTURES / "roster_sample.csv")
    assert first.exit_code == 0, first.output
    assert "added                     50" in first.stdout
    assert "Imported into" in first.stdout
    again = run("subscribers", "import", FIXTURES / "roster_sample.csv")
    assert "unchanged                 50" in again.stdout and "added                      0" in again.stdout


def test_bad_rows_exit_1_and_skip_invalid(run, write_roster):
    path = write_roster([["ok@example.org", "OK", "English", "Aiken", "3"],
                         ["nope", "Bad", "English", "Aiken", "3"],
                         ["x@example.org", "X", "Klingon", "Aiken", "3"]])
    result = run("subscribers", "import", path)
    assert result.exit_code == 1
    assert "row 3: 'nope' is not a valid email address" in result.stdout
    assert "row 4: unknown language 'Klingon'" in result.stdout
    assert "Nothing was imported: 2 rows need fixing" in result.stdout
    assert run("subscribers", "show", "ok@example.org").exit_code == 1
    dry = run("subscribers", "import", path, "--skip-invalid", "--dry-run")
    assert dry.exit_code == 0 and "Dry run: nothing was written." in dry.stdout
    assert "would be added             2" in dry.stdout  # the Klingon family too, in English
    assert "row 4: unknown language 'Klingon'; use a language name (Spanish, Español) or a code (es). " \
           "Imported in English (en), the publication's default language" in dry.stdout
    assert run("subscribers", "import", path, "--skip-invalid").exit_code == 0
    assert run("subscribers", "show", "ok@example.org").exit_code == 0
    shown = run("subscribers", "show", "x@example.org").stdout
    assert "language    en (English)" in shown and "unknown     language 'Klingon'" in shown


def test_unsubscribe_then_reimport_keeps_it_unsubscribed(run):
    run("subscribers", "import", FIXTURES / "roster_sample.csv")
    email = first_email()
    result = run("subscribers", "unsubscribe", email.upper(), "--reason", "asked by phone")
    assert result.exit_code == 0 and "subscribed -> unsubscribed" in result.stdout
    assert "already unsubscribed" in run("subscribers", "unsubscribe", email).stdout
    again = run("subscribers", "import", FIXTURES / "roster_sample.csv")
    assert "kept suppressed            1" in again.stdout
    assert f"{email} (unsubscribed)" in again.stdout
    shown = run("subscribers", "show", email).stdout
    assert "status      unsubscribed" in shown
    assert "subscribed -> unsubscribed" in shown and "by cli  asked by phone" in shown


def test_unsubscribe_unknown_address_adds_it(run):
    result = run("subscribers", "unsubscribe", "stranger@example.org")
    assert "added as unsubscribed" in result.stdout
    assert run("subscribers", "unsubscribe", "not-an-address").exit_code == 1


def test_show_prints_fields_and_history(run):
    run("subscribers", "import", FIXTURES / "roster_sample.csv")
    email = first_email()
    shown = run("subscribers", "show", email)
    assert shown.exit_code == 0
    for label in ("name", "status", "language", "schools", "grades", "topics", "source", "consent", "History:"):
        assert label in shown.stdout
    assert "(new) -> subscribed" in shown.stdout and "import:roster_sample.csv" in shown.stdout
    missing = run("subscribers", "show", "Nobody@Example.org")
    assert missing.exit_code == 1 and "nobody@example.org is not in the subscriber store" in missing.stderr


def test_export_csv(run, tmp_path):
    run("subscribers", "import", FIXTURES / "roster_sample.csv")
    run("subscribers", "unsubscribe", "someone@example.org")
    result = run("subscribers", "export", tmp_path / "out.csv")
    assert result.exit_code == 0 and "Wrote 51 subscribers" in result.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert len(rows) == 51 and rows[-1]["status"] == "unsubscribed"
    assert set(rows[0]) >= {"email", "name", "language", "schools", "grades", "topics", "status", "consent_at"}
    only = list(csv.DictReader(io.StringIO(run("subscribers", "export", "--status", "unsubscribed").stdout)))
    assert [r["email"] for r in only] == ["someone@example.org"]


def test_suppress_list(run, tmp_path):
    run("subscribers", "import", FIXTURES / "roster_sample.csv")
    first = first_email()
    (tmp_path / "bounces.csv").write_text(
        f"email,status\n{first.upper()},bounce\nnew@example.org,complaint\nbroken,bounce\n"
        "x@example.org,meh\n", encoding="utf-8")
    result = run("subscribers", "suppress", tmp_path / "bounces.csv")
    assert result.exit_code == 0, result.output
    assert f"{first}: subscribed -> bounced" in result.stdout
    assert "row 4: 'broken' is not a valid email address" in result.stdout
    assert "row 5: unknown status 'meh'" in result.stdout
    assert "status      complained" in run("subscribers", "show", "new@example.org").stdout
    (tmp_path / "plain.txt").write_text("new@example.org\nother@example.org\n", encoding="utf-8")
    result = run("subscribers", "suppress", tmp_path / "plain.txt", "--status", "unsubscribed")
    assert "new@example.org: complained -> unsubscribed" in result.stdout
    again = run("subscribers", "import", FIXTURES / "roster_sample.csv")
    assert f"{first} (bounced)" in again.stdout


def test_audience_list_and_show(run):
    run("subscribers", "import", FIXTURES / "roster_sample.csv")
    run("subscribers", "unsubscribe", "someone@example.org")
    listed = run("audience", "list")
    assert listed.exit_code == 0
    assert "all-families" in listed.stdout and "spanish-speaking-elementary" in listed.stdout
    shown = run("audience", "show", "all-families")
    assert shown.exit_code == 0
    assert "50 subscribed families in this segment." in shown.stdout
    assert "By language:" in shown.stdout and "Spanish" in shown.stdout
    assert "By school" in shown.stdout and "Aiken Elementary School" in shown.stdout
    assert "Excluded: 1 suppressed addresses match this segment and are never emailed (1 unsubscribed)." \
        in shown.stdout
    spanish = run("audience", "show", "spanish-speaking-elementary")
    assert "rule: language es and level elementary" in spanish.stdout


def test_user_mistakes_are_plain_messages(run, tmp_path):
    result = run("audience", "show", "spanish-speaking-elementry")
    assert result.exit_code == 1 and "did you mean spanish-speaking-elementary" in result.stderr
    assert "Traceback" not in result.output
    bad = tmp_path / "audiences.yaml"
    bad.write_text("segments:\n  x: {lang: es}\n", encoding="utf-8")
    result = run("audience", "list", "--audiences", bad)
    assert result.exit_code == 1 and "segments.x.lang: unknown field 'lang'" in result.stderr
    result = run("subscribers", "import", tmp_path / "missing.csv")
    assert result.exit_code == 1 and "file not found" in result.stderr
    (tmp_path / "roster.xls").write_bytes(b"\xd0\xcf")
    result = run("subscribers", "import", tmp_path / "roster.xls")
    assert result.exit_code == 1 and "save the spreadsheet as .xlsx or .csv" in result.stderr


def test_unreachable_database_is_a_plain_message(run, monkeypatch):     # exit 4: stopped, safe to rerun
    monkeypatch.setenv("NEWSLETTER_DB", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    result = run("subscribers", "show", "a@example.org")
    assert result.exit_code == 4 and "cannot open the subscriber store" in result.stderr
    assert "Traceback" not in result.output


def test_fresh_directory_creates_var_newsletter_db(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("NEWSLETTER_DB", "NEWSLETTER_AUDIENCES")}
    env["PYTHONPATH"] = str(ROOT)
    script = "import compose; compose.cli()"
    imported = subprocess.run([sys.executable, "-c", script, "subscribers", "import",
                               str(FIXTURES / "roster_sample.csv"), "--audiences", str(AUDIENCES)],
                              cwd=tmp_path, env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert (tmp_path / "var" / "newsletter.db").is_file()
    shown = subprocess.run([sys.executable, "-c", script, "audience", "show", "all-families"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert shown.returncode == 0 and "50 subscribed families" in shown.stdout


def test_export_is_safe_to_open_in_a_spreadsheet(run, write_roster, tmp_path):
    path = write_roster([["ana@example.org", '=HYPERLINK("http://evil.example","Ana")', "English", "Aiken", "3"],
                         ["-bo@example.org", "+1 Bo", "English", "Aiken", "3"],
                         ["cy@example.org", "@SUM(1)", "English", "Aiken", "3"],
                         ["dee@example.org", "Dee - Ann", "English", "Aiken", "3"]])
    assert run("subscribers", "import", path).exit_code == 0
    assert run("subscribers", "export", tmp_path / "out.csv").exit_code == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8"))))
    assert [(r["email"], r["name"]) for r in rows] == [
        ("ana@example.org", '\'=HYPERLINK("http://evil.example","Ana")'), ("'-bo@example.org", "'+1 Bo"),
        ("cy@example.org", "'@SUM(1)"), ("dee@example.org", "Dee - Ann")]
    assert "formula" in run("subscribers", "export", "--help").stdout
    again = run("subscribers", "import", tmp_path / "out.csv")  # the guards come off on the way back in
    assert "unchanged                  4" in again.stdout, again.stdout


def test_strict_and_sheet_options_are_explained(run):
    shown = run("subscribers", "import", "--help").stdout
    assert "--strict" in shown and "--sheet" in shown and "never leaves a family out" in " ".join(shown.split())
