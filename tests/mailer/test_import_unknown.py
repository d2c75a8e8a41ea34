"""No family dropped for a value nobody knows; only rows without a usable address are refused."""
import pytest

from mailer.audiences.audiences_file import load_audiences
from mailer.roster.families import read_roster
from mailer.roster.importer import import_roster
from mailer.values.topics import TOPICS

from tests.mailer.conftest import AUDIENCES

EVERY_TOPIC = tuple(sorted(TOPICS))


def run_import(store, audiences, path, **kwargs):
    strict = kwargs.pop("strict", False)
    return import_roster(store, read_roster(path, audiences, strict=strict), **kwargs)


def emails(store, audiences, segment):
    return sorted(r.email for r in store.recipients(audiences.segment(segment)))


def test_an_unknown_school_keeps_the_family_and_says_how_to_fix_it(store, audiences, write_roster, tmp_path):
    rows = [["ana@example.org", "Ana", "Spanish", "Young Adult Program", "12"],
            ["bo@example.org", "Bo", "Spanish", "young adult program", "11"],
            ["cy@example.org", "Cy", "Spanish", "Aiken", "3"],
            ["cy@example.org", "Cy", "Spanish", "Young Adult Program", "12"]]
    report = run_import(store, audiences, write_roster(rows))
    assert report.written and not report.rejected and len(report.added) == 3
    [unknown] = report.unknown
    assert (unknown.field, unknown.value, unknown.families, unknown.rows) == \
        ("school", "Young Adult Program", 3, [2, 3, 5])
    assert emails(store, audiences, "all-families") == ["ana@example.org", "bo@example.org", "cy@example.org"]
    assert emails(store, audiences, "non-english") == ["ana@example.org", "bo@example.org", "cy@example.org"]
    assert emails(store, audiences, "spanish-speaking-elementary") == ["cy@example.org"]  # by Aiken, not the unknown
    assert store.get("bo@example.org").unknown == (("school", "Young Adult Program"),)
    counts = store.count()
    assert (counts.by_school, counts.unknown) == ({"aiken": 1}, {"school": {"Young Adult Program": 3}})
    again = run_import(store, audiences, write_roster(rows))
    assert (len(again.added), len(again.updated), again.unchanged) == (0, 0, 3)
    # the office adds the programme to audiences.yaml: a re-import makes it a known school
    fixed = tmp_path / "audiences.yaml"
    fixed.write_text(AUDIENCES.read_text(encoding="utf-8").replace(
        "  conard:", "  young-adult:  {name: Young Adult Program, level: high}\n  conard:"), encoding="utf-8")
    report = run_import(store, load_audiences(fixed), write_roster(rows))
    assert [u.changes for u in report.updated][0] == ["schools (none) -> young-adult",
                                                      "unknown school Young Adult Program -> (none)"]
    assert store.count().unknown == {} and store.get("cy@example.org").schools == ("aiken", "young-adult")


def test_unknown_grades_and_topics_are_kept_and_known_topics_followed(store, audiences, write_roster):
    header = ("Parent Email", "Home Language", "School", "Grade", "Interests")
    report = run_import(store, audiences, write_roster([
        ["ana@example.org", "English", "Hall", "UG", "Events; Sports"],
        ["bo@example.org", "English", "Hall", "10", ""],
        ["cy@example.org", "English", "Hall", "10", "Chess"]], header))
    assert [(u.field, u.value, u.families) for u in report.unknown] == [("grade", "UG", 1), ("topic", "Chess", 1),
                                                                        ("topic", "Sports", 1)]
    ana, bo, cy = (store.get(f"{n}@example.org") for n in ("ana", "bo", "cy"))
    assert (ana.grades, ana.all_topics, ana.topics, ana.unknown) == \
        ((), False, ("events",), (("grade", "UG"), ("topic", "Sports")))
    assert (bo.all_topics, bo.topics) == (True, EVERY_TOPIC)
    assert (cy.all_topics, cy.topics) == (True, EVERY_TOPIC)  # no topic it knows: every topic, never none
    assert emails(store, audiences, "foodshare-interest") == ["bo@example.org", "cy@example.org"]
    report = run_import(store, audiences, write_roster([
        ["ana@example.org", "English", "Hall", "9", ""], ["bo@example.org", "English", "Hall", "10", "Foodshare"],
        ["cy@example.org", "English", "Hall", "10", "Chess"]], header))
    assert [(u.family.email, u.changes) for u in report.updated] == [
        ("ana@example.org", ["grades (none) -> 9", "topics events -> every topic",
                             "unknown grade UG -> (none)", "unknown topic Sports -> (none)"]),
        ("bo@example.org", ["topics every topic -> foodshare"])]
    assert report.unchanged == 1 and store.get("ana@example.org").unknown == ()


def test_strict_refuses_unknown_values_as_before(store, audiences, write_roster):
    path = write_roster([["ana@example.org", "Ana", "Spanish", "Young Adult Program", "12"],
                         ["bo@example.org", "Bo", "Klingon", "Hall", "10"],
                         ["cy@example.org", "Cy", "English", "Hall", "10"]])
    report = run_import(store, audiences, path, strict=True)
    assert [bad.row for bad in report.rejected] == [2, 3] and not report.written
    report = run_import(store, audiences, path, strict=True, skip_invalid=True)
    assert len(report.added) == 1 and store.get("ana@example.org") is None and store.get("bo@example.org") is None


def test_a_language_nobody_knows_blocks_until_skip_invalid_then_falls_back(store, audiences, write_roster):
    rows = [["ana@example.org", "Ana", "Spansh", "Hall", "10"], ["ana@example.org", "Ana", "", "Hall", "11"],
            ["bo@example.org", "Bo", "Spanish", "Hall", "10"], ["bo@example.org", "Bo", "Klingon", "Hall", "9"]]
    report = run_import(store, audiences, write_roster(rows))
    assert [bad.row for bad in report.rejected] == [2] and not report.written  # Bo's language is known (row 4)
    assert report.notes == ["row 5: unknown language 'Klingon'; use a language name (Spanish, Español) or a code "
                            "(es). Kept es, which another row gives."]
    report = run_import(store, audiences, write_roster(rows), skip_invalid=True, default_language="pt")
    assert [bad.row for bad in report.fallbacks] == [2] and not report.rejected
    ana = store.get("ana@example.org")
    assert (ana.language, ana.unknown) == ("pt", (("language", "Spansh"),))
    rows[0][2] = "Spanish"  # fixed in the roster
    report = run_import(store, audiences, write_roster(rows))
    assert report.updated[0].changes == ["language pt -> es", "unknown language Spansh -> (none)"]
    rows[2][2] = rows[3][2] = "Klingon"  # Bo's roster language is unknown, but Bo chose one: the choice stands
    run_import(store, audiences, write_roster(rows), skip_invalid=True)
    assert store.get("bo@example.org").unknown == (("language", "Klingon"),)
    bo = store.update_preferences("bo@example.org", language="uk")
    assert (bo.language, bo.unknown) == ("uk", ())


def test_siblings_are_one_family_and_two_parents_two(store, audiences, write_roster):
    header = ("Student ID", "Parent Email", "Parent Name", "Home Language", "School", "Grade")
    report = run_import(store, audiences, write_roster([
        ["1001", "maria@example.org", "Maria", "Spanish", "Aiken", "K"],
        ["1002", " MARIA@Example.org", "Maria", "Spanish", "Sedgwick", "7"],
        ["1003", "maria@example.org", "Maria", "Spanish", "Young Adult Program", "12"],
        ["1001", "jose@example.org", "Jose", "Portuguese", "Aiken", "K"]], header))
    assert report.families == 2
    maria, jose = store.get("maria@example.org"), store.get("jose@example.org")
    assert (maria.schools, maria.grades, maria.unknown) == \
        (("aiken", "sedgwick"), ("12", "7", "K"), (("school", "Young Adult Program"),))
    assert (jose.schools, jose.language) == (("aiken",), "pt")


def test_names_longer_than_the_store_keeps_are_refused_per_row(store, audiences, write_roster):
    report = run_import(store, audiences, write_roster([["a@example.org", "x" * 201, "English", "Hall", "9"],
                                                        ["b@example.org", "y" * 200, "English", "Hall", "9"]]),
                        skip_invalid=True)
    assert [str(bad) for bad in report.rejected] == [
        "row 2: the name is 201 characters long, more than the 200 the store keeps; shorten it in the file"]
    assert store.get("a@example.org") is None and store.get("b@example.org").name == "y" * 200


def test_an_address_not_every_server_can_deliver_is_imported_with_a_warning(store, audiences, write_roster):
    report = run_import(store, audiences, write_roster([["José@Example.org", "José", "Spanish", "Hall", "9"]]))
    assert report.written and store.get("josé@example.org").language == "es"
    [warning] = report.warnings
    assert warning.startswith("row 2: josé@example.org has non-ASCII letters before the @: imported, but only mail "
                              "servers offering SMTPUTF8 can deliver it")


@pytest.mark.parametrize("value", ["x" * 201])
def test_values_longer_than_kept_are_refused(audiences, write_roster, value):
    roster = read_roster(write_roster([["a@example.org", "A", "English", value, "9"]]), audiences)
    assert roster.rejected[0].reason.startswith(f"school '{'x' * 40}...' is 201 characters long, more than the 200")
