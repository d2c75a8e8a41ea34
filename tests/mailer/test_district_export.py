"""Issue #13's acceptance: a realistic 600-row district export, imported as staff would."""
import csv
import importlib.util
import io
import re

from tests.mailer.conftest import AUDIENCES, FIXTURES

_spec = importlib.util.spec_from_file_location("roster_generate", FIXTURES / "roster_generate.py")
generate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate)

# audiences.yaml as it was before issue #13: no Smith, Whiting Lane, Wolcott or Bristow
OLD_SCHOOLS = ("smith", "whiting-lane", "wolcott", "bristow")


def export(tmp_path):
    rows, expected = generate.district_export()
    path = tmp_path / "district_export.csv"
    generate.write(path, rows, generate.DISTRICT_HEADER)
    return path, expected


def old_audiences(tmp_path):
    kept = [line for line in AUDIENCES.read_text(encoding="utf-8").splitlines(keepends=True)
            if not line.lstrip().startswith(tuple(f"{school}:" for school in OLD_SCHOOLS))
            and not line.lstrip().startswith("aliases: [SMI")]
    path = tmp_path / "old_audiences.yaml"
    path.write_text("".join(kept), encoding="utf-8")
    return path


def test_the_committed_fixture_is_what_the_generator_writes(tmp_path):
    path, _ = export(tmp_path)
    assert path.read_bytes() == (FIXTURES / "district_export_600.csv").read_bytes()


def test_without_skip_invalid_the_report_names_every_bad_row_and_changes_nothing(run, tmp_path):
    path, expected = export(tmp_path)
    result = run("subscribers", "import", path)
    assert result.exit_code == 1
    bad = [line for line in result.stdout.splitlines() if line.startswith("  row ")]
    assert [line.split(":")[0] for line in bad] == ["  row 57", "  row 90", "  row 121"]
    assert "row 90: unknown language 'Spansh'; did you mean Spanish (es)?" in result.stdout
    assert "Nothing was imported: 3 rows need fixing" in result.stdout
    assert "0 subscribed families" in run("audience", "show", "all-families").stdout


def test_with_skip_invalid_every_family_with_an_address_is_imported(run, tmp_path):
    path, expected = export(tmp_path)
    result = run("subscribers", "import", path, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert f"{expected['rows']} rows, {expected['families']} families" in result.stdout
    assert "added                    597" in result.stdout and "rejected rows              2" in result.stdout
    assert "row 90: unknown language 'Spansh'; did you mean Spanish (es)? Imported in English (en)" in result.stdout
    shown = run("audience", "show", "all-families").stdout
    assert "597 subscribed families in this segment." in shown
    assert "Whiting Lane Elementary School" in shown and "Smith STEM School" in shown and "unknown school" not in shown
    again = run("subscribers", "import", path, "--skip-invalid")
    assert "unchanged                597" in again.stdout


def test_schools_missing_from_audiences_yaml_lose_no_family(run, tmp_path):
    """The failure the issue reports: with the old audiences.yaml, 85 families were rejected."""
    path, expected = export(tmp_path)
    audiences = old_audiences(tmp_path)
    result = run("subscribers", "import", path, "--skip-invalid", "--audiences", audiences)
    assert result.exit_code == 0 and "added                    597" in result.stdout
    whiting = sum(1 for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8"))) if row[4] == "Whiting Lane")
    assert (f"  unknown school 'Whiting Lane': add 'Whiting Lane' under schools: in {audiences}, then re-import: "
            f"{whiting} families") in result.stdout
    shown = run("audience", "show", "all-families", "--audiences", audiences).stdout
    assert "597 subscribed families in this segment." in shown
    listed = {m[1]: (int(m[2]), m[3]) for m in re.finditer(r"  unknown school: (.+?) +(\d+)  -> (.*)", shown)}
    assert listed["Whiting Lane"] == (whiting, f"add 'Whiting Lane' under schools: in {audiences}, then re-import")
    assert list(listed) == ["Whiting Lane", "Smith", "Wolcott", "Bristow Middle School"]
    assert listed["Whiting Lane"][0] + listed["Smith"][0] == expected["whiting lane or smith"]
    assert run("subscribers", "import", path, "--audiences", audiences, "--strict").exit_code == 1
