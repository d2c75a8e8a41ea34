"""A roster of any size in bounded memory (issue #25): the file is read a chunk at a time, rows are
merged by address in a staging database (on disk for large files), and the import plans and writes
a chunk of families at a time in its one transaction. Here the chunks are made tiny, so that small
files cross every boundary a state-wide one would: the families, the report and the store must
come out exactly as with one chunk."""
import gc
from pathlib import Path

import pytest

from mailer.roster import importer, spreadsheet, staging
from mailer.roster.families import read_roster
from mailer.roster.importer import import_roster
from mailer.reports.text import import_report

from tests.mailer.conftest import FIXTURES
from tests.mailer.test_import import crash_on_third_batch, table_counts
from tests.mailer.test_spreadsheet import unclosed_quote_on_row_5


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Every boundary crossed: 7-byte file chunks, 3-row staging batches, 4-family import chunks,
    the staging database on disk, the report keeping 2 families of each list."""
    monkeypatch.setattr(spreadsheet, "CHUNK", 7)
    monkeypatch.setattr(staging, "BATCH", 3)
    monkeypatch.setattr(staging, "IN_MEMORY_BELOW", 0)
    monkeypatch.setattr(importer, "BATCH", 4)
    monkeypatch.setattr(importer, "KEPT", 2)


def families_of(roster) -> list:
    return [(f.email, f.rows, f.name, f.language, f.schools, f.grades, f.topics, f.unknown)
            for f in roster.families.values()]


def read_both_ways(path: Path, audiences, monkeypatch, **kwargs):
    """(the roster read as usual, the roster read in tiny chunks)."""
    whole = read_roster(path, audiences, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(spreadsheet, "CHUNK", 7)
        patch.setattr(staging, "BATCH", 3)
        patch.setattr(staging, "IN_MEMORY_BELOW", 0)
        chunked = read_roster(path, audiences, **kwargs)
    return whole, chunked


def described(roster) -> tuple:
    return (roster.rows, roster.columns, [str(bad) for bad in roster.rejected], roster.notes, roster.reading,
            roster.warnings, [str(bad) for bad in roster.language_rows], roster.unknown, roster.ignored)


def test_the_messy_ten_thousand_family_roster_reads_the_same_in_tiny_chunks(audiences, monkeypatch):
    whole, chunked = read_both_ways(FIXTURES / "roster_10000.csv", audiences, monkeypatch)
    assert families_of(chunked) == families_of(whole)
    assert described(chunked) == described(whole)
    assert chunked.families._staging.path and not whole.families._staging.path   # on disk / in memory
    assert len(chunked.families) == len(whole.families) > 9000
    some = families_of(whole)[1234]
    assert chunked.families[some[0]].rows == some[1] and some[0] in chunked.families


def test_siblings_far_apart_are_one_family_and_language_notes_keep_their_order(audiences, write_roster,
                                                                              monkeypatch):
    rows = [[f"p{i}@example.org", f"P {i}", "English", "Aiken", "3"] for i in range(30)]
    rows.insert(0, ["last@example.org", "", "Klingon", "Hall High School", "9"])
    rows.append(["LAST@example.org", "Lee Last", "Spanish", "Aiken", "2"])
    rows.append(["p3@example.org", "", "Spanish", "Hall High School", "10"])
    rows.append(["p1@example.org", "", "Arabic", "KPMS", "7"])
    whole, chunked = read_both_ways(write_roster(rows), audiences, monkeypatch)
    assert families_of(chunked) == families_of(whole)
    assert described(chunked) == described(whole)
    last = chunked.families["last@example.org"]
    assert (last.rows, last.name, last.language, last.schools) == ([2, 33], "Lee Last", "es", {"hall", "aiken"})
    assert list(chunked.families)[:2] == ["last@example.org", "p0@example.org"]   # first row's order
    assert chunked.notes == [
        "row 34: p3@example.org has language es here but en on row 6; kept en",
        "row 35: p1@example.org has language ar here but en on row 4; kept en",
        "row 2: unknown language 'Klingon'; use a language name (Spanish, Español) or a code (es). "
        "Kept es, which another row gives."]


def test_a_chunked_import_writes_and_reports_exactly_what_one_chunk_does(store, audiences, write_roster,
                                                                         tiny_chunks):
    rows = [[f"p{i}@example.org", f"P {i}", "English", "Aiken", str(i % 5 + 1)] for i in range(11)]
    import_roster(store, read_roster(write_roster(rows), audiences))
    store.set_status("p4@example.org", "unsubscribed", by="cli", reason="asked")
    rows[2][1], rows[7][3] = "Renamed", "Hall High School"
    rows += [[f"new{i}@example.org", f"N {i}", "Spanish", "KPMS", "7"] for i in range(5)]
    rows.append(["P9@example.org", "", "English", "Duffy Elementary", "1"])     # p9's sibling, at the end
    roster = read_roster(write_roster(rows), audiences)
    report = import_roster(store, roster, publications=("district",))
    assert (report.rows, report.families, len(report.added), len(report.updated), report.unchanged) == \
        (17, 16, 5, 3, 7)
    assert [f.email for f in report.added] == ["new0@example.org", "new1@example.org"]   # the first KEPT
    assert [u.family.email for u in report.updated] == ["p2@example.org", "p7@example.org"]
    assert report.updated[:20] == list(report.updated)
    assert report.kept_suppressed == [("p4@example.org", "unsubscribed")]
    assert report.subscribed == {"district": 16}   # as before: every family on the roster without a row for it
    assert set(store.get("p9@example.org").schools) == {"aiken", "duffy"}
    assert store.get("p7@example.org").schools == ("hall",) and store.get("p2@example.org").name == "Renamed"
    assert store.get("new4@example.org").language == "es"
    assert table_counts(store)["subscribers"] == 16
    text = "\n".join(import_report(report, roster, "the store", dry_run=False, skip_invalid=False))
    assert "  updated                    3" in text and "  added                      5" in text
    again = import_roster(store, read_roster(write_roster(rows), audiences))
    assert (len(again.added), len(again.updated), again.unchanged, len(again.kept_suppressed)) == (0, 0, 15, 1)


def test_a_chunked_import_that_fails_half_way_leaves_the_store_as_it_was(store, audiences, write_roster,
                                                                         tiny_chunks, monkeypatch):
    rows = [[f"p{i}@example.org", f"P {i}", "English", "Aiken", "3"] for i in range(6)]
    import_roster(store, read_roster(write_roster(rows), audiences))
    before = table_counts(store), list(store.subscribers())
    rows[0][1] = "Renamed"
    rows += [[f"new{i}@example.org", f"N {i}", "Spanish", "KPMS", "7"] for i in range(12)]
    calls = crash_on_third_batch(monkeypatch)
    with pytest.raises(RuntimeError, match="disk full"):
        import_roster(store, read_roster(write_roster(rows), audiences))
    assert len(calls) == 3
    assert (table_counts(store), list(store.subscribers())) == before


def test_a_blocked_or_dry_run_chunked_import_writes_nothing(store, audiences, write_roster, tiny_chunks):
    rows = [[f"p{i}@example.org", f"P {i}", "English", "Aiken", "3"] for i in range(10)] + \
        [["broken@", "B", "English", "Aiken", "3"]]
    report = import_roster(store, read_roster(write_roster(rows), audiences))
    assert (len(report.added), [str(bad) for bad in report.rejected], report.written) == \
        (10, ["row 12: " + report.rejected[0].reason], False)
    report = import_roster(store, read_roster(write_roster(rows[:10]), audiences), dry_run=True)
    assert (len(report.added), report.written) == (10, False)
    assert table_counts(store)["subscribers"] == 0


def test_the_staging_file_goes_with_the_roster(audiences, write_roster, monkeypatch):
    monkeypatch.setattr(staging, "IN_MEMORY_BELOW", 0)
    roster = read_roster(write_roster([["a@example.org", "A", "English", "Aiken", "3"]]), audiences)
    path = Path(roster.families._staging.path)
    assert path.exists() and path.parent == Path(__import__("tempfile").gettempdir())
    del roster
    gc.collect()
    assert not path.exists()


def test_mixed_encodings_and_quoted_line_breaks_across_file_chunks(tmp_path, audiences, monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK", 5)
    path = tmp_path / "roster.csv"
    path.write_bytes("Parent Email,Parent Name,Home Language,School,Grade\r\n".encode()
                     + "ana@example.org,\"Ana\r\nNúñez\",Español,Aiken,3\r\n".encode("utf-8")
                     + "jose@example.org,José Peña,Español,Hall,9\r\n".encode("cp1252")
                     + "bo@example.org,Bo Løkke,English,Hall,9\r\n".encode("utf-8")
                     + "eve@example.org,Eve Lévy,French,Hall,9\r\n".encode("cp1252"))
    roster = read_roster(path, audiences)
    assert [(f.email, f.name) for f in roster.families.values()] == [
        ("ana@example.org", "Ana Núñez"), ("jose@example.org", "José Peña"), ("bo@example.org", "Bo Løkke"),
        ("eve@example.org", "Eve Lévy")]
    [note] = roster.reading
    assert "except rows 3, 5, which are Windows-1252" in note
    assert roster.warnings == ["row 2, Parent Name: line breaks replaced by spaces"]


def test_an_unclosed_quote_is_found_across_file_chunks(tmp_path, audiences, monkeypatch):
    monkeypatch.setattr(spreadsheet, "CHUNK", 6)
    _, problem = unclosed_quote_on_row_5(tmp_path, audiences)
    assert problem.message.startswith("row 5: a quoted cell starts here") and problem.line == 5
