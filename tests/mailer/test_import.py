"""Roster import: merging siblings, idempotency, suppression, bad rows, dry runs, rollback."""
import json

import pytest
from sqlalchemy import func, select

from common.errors import NewsletterError
from mailer.roster import importer
from mailer.roster.importer import import_roster
from mailer.roster.families import read_roster
from mailer.store.tables import status_history, subscriber_grades, subscriber_schools, subscriber_topics, subscribers
from mailer.values.topics import TOPICS

from tests.mailer.conftest import FIXTURES


def run_import(store, audiences, path, **kwargs):
    mappings = kwargs.pop("mappings", [])
    return import_roster(store, read_roster(path, audiences, mappings), **kwargs)


def table_counts(store) -> dict:
    with store.read() as connection:
        return {t.name: connection.execute(select(func.count()).select_from(t)).scalar()
                for t in (subscribers, subscriber_schools, subscriber_grades, subscriber_topics, status_history)}


def good_rows(count: int) -> list[list[str]]:
    languages = ["English", "Spanish", "Português", "Arabic", "Bosnian"]
    schools = ["Aiken", "Hall High School", "KPMS", "Duffy Elementary"]
    return [[f"parent{i}@example.org", f"Parent {i}", languages[i % 5], schools[i % 4], str(i % 12 + 1)]
            for i in range(count)]


def test_sample_roster_merges_siblings(store, audiences):
    report = run_import(store, audiences, FIXTURES / "roster_sample.csv")
    assert (report.rows, report.families, len(report.added), report.rejected) == (65, 50, 50, [])
    assert report.written
    merged = [f for f in report.added if len(f.rows) > 1][0]
    stored = store.get(merged.email)
    assert (set(stored.schools), set(stored.grades)) == (merged.schools, merged.grades)
    assert stored.topics == tuple(sorted(TOPICS))
    assert store.count().by_language.keys() >= {"en", "es", "pt", "ar"}


def test_reimport_changes_nothing(store, audiences):
    run_import(store, audiences, FIXTURES / "roster_sample.csv")
    before = (table_counts(store), [s for s in store.subscribers()])
    report = run_import(store, audiences, FIXTURES / "roster_sample.csv")
    assert (len(report.added), len(report.updated), report.unchanged) == (0, 0, 50)
    assert (table_counts(store), [s for s in store.subscribers()]) == before


def test_import_never_resubscribes(store, audiences, write_roster):
    path = write_roster(good_rows(4))
    run_import(store, audiences, path)
    store.set_status("parent1@example.org", "unsubscribed", by="cli", reason="asked by phone")
    store.set_status("parent2@example.org", "bounced", by="webhook:sendgrid")
    store.set_status("gone@example.org", "complained", by="webhook:sendgrid")
    path = write_roster(good_rows(4) + [["GONE@example.org", "Gone", "English", "Aiken", "3"]])
    report = run_import(store, audiences, path)
    assert report.kept_suppressed == [("parent1@example.org", "unsubscribed"), ("parent2@example.org", "bounced"),
                                      ("gone@example.org", "complained")]
    assert report.unchanged == 2 and not report.added
    assert [h.new_status for h in store.get("parent1@example.org", history=True).history] == \
        ["subscribed", "unsubscribed"]
    assert store.get("gone@example.org").status == "complained"


def test_bad_rows_are_all_reported_and_nothing_is_imported(store, audiences, write_roster):
    rows = good_rows(100)
    rows[57 - 2][0] = "parent55@@example.org"  # spreadsheet row 57 (the header is row 1)
    rows[90 - 2][2] = "Spansh"
    report = run_import(store, audiences, write_roster(rows))
    assert [(bad.row, bad.reason.split(":")[0]) for bad in report.rejected] == [
        (57, "'parent55@@example.org' is not a valid email address"),
        (90, "unknown language 'Spansh'; did you mean Spanish (es)?")]
    assert not report.written
    assert table_counts(store)["subscribers"] == 0


def test_skip_invalid_imports_the_good_rows(store, audiences, write_roster):
    rows = good_rows(100)
    rows[57 - 2][0] = ""
    rows[90 - 2][2] = "Klingon"
    report = run_import(store, audiences, write_roster(rows), skip_invalid=True)
    assert [bad.row for bad in report.rejected] == [57]
    assert report.rejected[0].reason == "no email address"
    assert [bad.row for bad in report.fallbacks] == [90]  # imported in the default language, with a warning
    assert report.written and table_counts(store)["subscribers"] == 99
    klingon = store.get("parent88@example.org")
    assert (klingon.language, klingon.unknown) == ("en", (("language", "Klingon"),))


def test_dry_run_writes_nothing(store, audiences, write_roster):
    report = run_import(store, audiences, write_roster(good_rows(10)), dry_run=True)
    assert len(report.added) == 10 and not report.written
    assert table_counts(store)["subscribers"] == 0


def crash_on_third_batch(monkeypatch) -> list:
    """Make the import's third batch write fail ("disk full"); returns the list of calls made."""
    real, calls = importer._add_batch, []

    def crash_on_third(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(importer, "_add_batch", crash_on_third)
    return calls


def test_a_crash_mid_import_leaves_the_store_as_it_was(store, audiences, write_roster, monkeypatch):
    run_import(store, audiences, write_roster(good_rows(5)))
    before = table_counts(store), list(store.subscribers())
    rows = good_rows(60)
    rows[0][1] = "Renamed Parent"  # an update too
    monkeypatch.setattr(importer, "BATCH", 10)
    calls = crash_on_third_batch(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        run_import(store, audiences, write_roster(rows))
    assert len(calls) == 3
    assert (table_counts(store), list(store.subscribers())) == before


def test_updates_follow_the_roster_but_not_the_familys_own_choices(store, audiences, write_roster):
    run_import(store, audiences, write_roster([["a@example.org", "A", "English", "Aiken", "3"],
                                               ["b@example.org", "B", "English", "Aiken", "3"]]))
    store.update_preferences("b@example.org", language="pt", topics=["events"])
    report = run_import(store, audiences, write_roster([
        ["a@example.org", "Ana", "Spanish", "Aiken", "4"], ["a@example.org", "Ana", "Spanish", "Hall", "9"],
        ["b@example.org", "B", "Spanish", "Aiken", "3"]]))
    assert [(u.family.email, u.changes) for u in report.updated] == [
        ("a@example.org", ["name A -> Ana", "language en -> es", "schools aiken -> aiken, hall", "grades 3 -> 4, 9"])]
    assert report.unchanged == 1
    a, b = store.get("a@example.org"), store.get("b@example.org")
    assert (a.name, a.language, a.schools, a.grades) == ("Ana", "es", ("aiken", "hall"), ("4", "9"))
    assert (b.language, b.topics) == ("pt", ("events",))  # the family's choice wins over the roster


def test_same_family_in_other_case_is_one_family(store, audiences, write_roster):
    report = run_import(store, audiences, write_roster([
        ["Maria.Garcia@Example.org", "Maria Garcia", "Spanish", "Aiken", "K"],
        [" MARIA.GARCIA@EXAMPLE.ORG ", "", "Español", "Sedgwick", "7"],
        ["maria.garcia@example.org", "", "Portuguese", "", ""]]))
    assert report.families == 1
    maria = store.get("maria.garcia@example.org")
    assert (maria.name, maria.language, maria.schools, maria.grades) == \
        ("Maria Garcia", "es", ("aiken", "sedgwick"), ("7", "K"))
    assert report.notes == ["row 4: maria.garcia@example.org has language pt here but es on row 2; kept es"]


def test_column_mapping_headers_and_map_option(store, audiences, write_roster):
    header = ("Student ID", "GUARDIAN FIRST NAME", "guardian_last_name", "Guardian 2 Contact", "Preferred Language",
              "school name", "Grade Level", "Student Email")
    path = write_roster([["1", "Ana", "Silva", "ana@example.org", "pt", "COIA", "KG", "kid@example.org"]], header)
    with pytest.raises(NewsletterError, match="no email column found"):
        read_roster(path, audiences)
    with pytest.raises(NewsletterError, match="no column 'Parent E-mail'"):
        read_roster(path, audiences, ["Email=Parent E-mail"])
    with pytest.raises(NewsletterError, match="is not FIELD=HEADER"):
        read_roster(path, audiences, ["Mail=Guardian 2 Contact"])
    run_import(store, audiences, path, mappings=["email=guardian 2 contact"])
    ana = store.get("ana@example.org")
    assert (ana.name, ana.language, ana.schools, ana.grades) == ("Ana Silva", "pt", ("charter-oak",), ("K",))
    assert store.get("kid@example.org") is None


def test_xlsx_and_windows_csv(store, audiences, tmp_path):
    import openpyxl
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Parent Email", "Guardian Name", "Home Language", "School", "Grade"])
    sheet.append(["x@example.org", "Xiu", "Mandarin", "Hall", 10])
    sheet.append([None, None, None, None, None])
    sheet.append(["bad", "Y", "English", "Hall", 9])
    book.save(tmp_path / "roster.xlsx")
    report = run_import(store, audiences, tmp_path / "roster.xlsx", skip_invalid=True)
    assert [bad.row for bad in report.rejected] == [4]
    assert store.get("x@example.org").grades == ("10",)
    (tmp_path / "win.csv").write_bytes("Parent Email;Parent Name;Home Language\r\nj@example.org;José;Español\r\n"
                                       .encode("cp1252"))
    run_import(store, audiences, tmp_path / "win.csv")
    assert (store.get("j@example.org").name, store.get("j@example.org").language) == ("José", "es")


def test_unknown_school_and_grade_are_bad_rows_with_strict(audiences, write_roster):
    roster = read_roster(write_roster([["a@example.org", "A", "English", "Springfield Elementary", "3"],
                                       ["b@example.org", "B", "English", "Aiken", "13"]]), audiences, strict=True)
    school, grade = [str(bad) for bad in roster.rejected]
    assert school.startswith("row 2: unknown school 'Springfield Elementary'; add it under schools: in ")
    assert grade == "row 3: unknown grade '13'; use PK, K or 1-12"


def test_the_ten_thousand_family_roster(store, audiences):
    expected = json.loads((FIXTURES / "roster_10000.expected.json").read_text())
    report = run_import(store, audiences, FIXTURES / "roster_10000.csv", skip_invalid=True)
    assert (report.rows, report.families, len(report.rejected), len(report.fallbacks)) == \
        (expected["rows"], expected["families"], expected["rejected"], expected["unknown language"])
    counts = store.count()
    assert counts.total == expected["families"] and len(counts.by_language) == 15 and len(counts.by_school) == 12
    assert sum(counts.unknown["language"].values()) == expected["unknown language"]
    again = run_import(store, audiences, FIXTURES / "roster_10000.csv", skip_invalid=True)
    assert (len(again.added), len(again.updated), again.unchanged) == (0, 0, expected["families"])
