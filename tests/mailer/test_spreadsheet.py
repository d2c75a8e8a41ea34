"""Messy roster files: encodings, duplicated columns, several sheets, broken quotes, control characters."""
import pytest

from common.errors import NewsletterError
from mailer.roster.families import read_roster
from mailer.roster.spreadsheet import decode, read_table

HEADER = "Parent Email\tParent Name\tHome Language\tSchool\tGrade\r\n"
ROWS = "ana@example.org\tAna Núñez\tEspañol\tAiken\t3\r\nbo@example.org\tBo\tالعربية\tHall\t9\r\n"


@pytest.mark.parametrize("codec, said", [("utf-16", "UTF-16 text (Excel's \"Unicode text\")"),
                                         ("utf-16-le", "UTF-16 text"), ("utf-16-be", "UTF-16 text"),
                                         ("utf-8-sig", ""), ("utf-8", ""), ("utf-32", "UTF-32 text")])
def test_unicode_text_exports_read_correctly(tmp_path, audiences, codec, said):
    path = tmp_path / "roster.txt"
    path.write_bytes((HEADER + ROWS).encode(codec))
    roster = read_roster(path, audiences)
    assert [(f.email, f.name, f.language, f.schools) for f in roster.families.values()] == [
        ("ana@example.org", "Ana Núñez", "es", {"aiken"}), ("bo@example.org", "Bo", "ar", {"hall"})]
    assert roster.reading == ([f"read as {said}"] if said else [])


def test_windows_1252_is_said():
    assert decode("José;Español\r\n".encode("cp1252")) == ("José;Español\r\n", "Windows-1252 text (not UTF-8)")


def test_a_roster_mixing_utf8_and_windows_1252_rows_is_read_row_by_row(tmp_path, audiences):
    """Two exports pasted together: rows 2 and 4 in UTF-8, row 3 in Windows-1252. Each row is read
    in its own encoding (no "JosÃ©", no "Jos\ufffd"), and the note names the Windows-1252 row."""
    path = tmp_path / "roster.csv"
    path.write_bytes("Parent Email,Parent Name,Home Language,School,Grade\r\n".encode()
                     + "ana@example.org,Ana Núñez,Español,Aiken,3\r\n".encode("utf-8")
                     + "jose@example.org,José Peña,Español,Hall,9\r\n".encode("cp1252")
                     + "bo@example.org,Bo Løkke,English,Hall,9\r\n".encode("utf-8"))
    roster = read_roster(path, audiences)
    names = {f.email: f.name for f in roster.families.values()}
    assert names == {"ana@example.org": "Ana Núñez", "jose@example.org": "José Peña", "bo@example.org": "Bo Løkke"}
    [note] = roster.reading
    assert "except row 3, which is Windows-1252" in note


def test_a_duplicated_column_is_refused_with_its_letters(tmp_path, audiences, write_roster):
    path = write_roster([["a@example.org", "A", "English", "Aiken", "3", "b@example.org"]],
                        ("Parent Email", "Parent Name", "Home Language", "School", "Grade", "parent_email"))
    with pytest.raises(NewsletterError) as caught:
        read_roster(path, audiences)
    [problem] = caught.value.problems
    assert problem.message == "columns A and F are both 'Parent Email' (the email column)"
    assert "--map" in problem.hint and problem.line == 1
    other = write_roster([["a@example.org", "A", "1", "2"]], ("Parent Email", "Parent Name", "Phone", "Phone"))
    assert list(read_roster(other, audiences).families) == ["a@example.org"]  # a column the import never reads


def test_a_workbook_with_several_sheets_says_which_it_read(tmp_path, audiences):
    import openpyxl
    book = openpyxl.Workbook()
    book.active.title = "Instructions"
    book.active.append(["Export of 2021-09-01"])
    roster = book.create_sheet("Families")
    roster.append(["Parent Email", "Parent Name"])
    roster.append(["x@example.org", "X"])
    book.save(tmp_path / "roster.xlsx")
    with pytest.raises(NewsletterError) as caught:
        read_roster(tmp_path / "roster.xlsx", audiences)
    assert caught.value.problems[0].hint.endswith("or the roster is on another sheet (Instructions, Families): "
                                                  "add --sheet NAME")
    read = read_roster(tmp_path / "roster.xlsx", audiences, sheet="Families")
    assert list(read.families) == ["x@example.org"]
    assert read.reading == ["read sheet 'Families' of 2 ('Instructions', 'Families')"]
    table = read_table(tmp_path / "roster.xlsx")
    assert table.notes == ["read sheet 'Instructions' of 2 ('Instructions', 'Families'); to read another, add "
                           "--sheet NAME"]
    with pytest.raises(NewsletterError, match="no sheet named 'Roster'"):
        read_table(tmp_path / "roster.xlsx", "Roster")


def unclosed_quote_on_row_5(tmp_path, audiences) -> tuple[list[str], object]:
    """A roster of ten families whose row 5 opens a quote it never closes: its lines, and the
    problem read_roster reports."""
    lines = ["Parent Email,Parent Name,Home Language"] + [f"p{i}@example.org,P{i},English" for i in range(2, 12)]
    lines[4] = 'p5@example.org,"Maria Garcia,English'
    (tmp_path / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(NewsletterError) as caught:
        read_roster(tmp_path / "roster.csv", audiences)
    [problem] = caught.value.problems
    return lines, problem


def test_an_unclosed_quote_names_its_row_and_never_swallows_the_rest(tmp_path, audiences):
    lines, problem = unclosed_quote_on_row_5(tmp_path, audiences)
    assert problem.message.startswith("row 5: a quoted cell starts here and its closing quote (\") is missing")
    assert problem.line == 5
    lines[4] = 'p5@example.org,"Maria ""Mary"" Garcia, Jr",English'  # closed: fine
    lines[6] = 'p7@example.org,Bo "the" Kim,English'  # a quote inside a plain cell: fine, as before
    (tmp_path / "roster.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(tmp_path / "roster.csv", audiences)
    assert len(roster.families) == 10 and roster.families["p5@example.org"].name == 'Maria "Mary" Garcia, Jr'
    assert roster.families["p7@example.org"].name == 'Bo "the" Kim'


def test_control_characters_are_cleaned_and_reported(tmp_path, audiences):
    (tmp_path / "roster.csv").write_bytes(
        b'Parent Email,Parent Name,Home Language,Notes\r\na@example.org,"Maria\r\nGarcia",English,"x\ny"\r\n'
        b'b@example.org,Bo\x00b  Kim\x07,Spanish,\r\n')
    roster = read_roster(tmp_path / "roster.csv", audiences)
    assert [f.name for f in roster.families.values()] == ["Maria Garcia", "Bob  Kim"]
    assert roster.warnings == ["row 2, Parent Name: line breaks replaced by spaces",
                               "row 3, Parent Name: control characters removed"]  # Notes is not imported


def test_exported_formula_guards_are_taken_off_on_import(tmp_path, audiences, write_roster):
    path = write_roster([["'-dash@example.org", "'=Ana", "English", "Aiken", "3"]])
    family = read_roster(path, audiences).families["-dash@example.org"]
    assert family.name == "=Ana"
