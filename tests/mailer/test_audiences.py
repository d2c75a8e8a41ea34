"""audiences.yaml: schools, segment rules, and errors that say where and what to do."""
import textwrap

import pytest

from common.errors import NewsletterError
from mailer.audiences.audiences_file import load_audiences
from mailer.store.rules import All, Any, Condition, Not

SCHOOLS = """\
schools:
  aiken: {name: Aiken Elementary School, level: elementary, aliases: [AIK]}
  duffy: {name: Duffy Elementary School, level: elementary}
  sedgwick: {name: Sedgwick Middle School, level: middle}
  hall: {name: Hall High School, level: high, aliases: [HHS]}
"""


@pytest.fixture
def load(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    def load_text(segments: str, schools: str = SCHOOLS):
        path = tmp_path / "audiences.yaml"
        path.write_text(schools + textwrap.dedent(segments), encoding="utf-8")
        return load_audiences(path)

    return load_text


def problems_of(load, segments: str, schools: str = SCHOOLS) -> list:
    with pytest.raises(NewsletterError) as caught:
        load(segments, schools)
    return caught.value.problems


def test_project_file_has_every_school_of_the_district(audiences):
    by_level = {level: sorted(s.id for s in audiences.schools.values() if s.level == level)
                for level in ("elementary", "middle", "high")}
    assert by_level == {
        "elementary": ["aiken", "braeburn", "bugbee", "charter-oak", "duffy", "morley", "norfeldt", "smith",
                       "webster-hill", "whiting-lane", "wolcott"],
        "middle": ["bristow", "king-philip", "sedgwick"], "high": ["conard", "hall"]}
    assert {"all-families", "spanish-speaking-elementary", "foodshare-interest"} <= set(audiences.segments)
    assert audiences.segments["all-families"].rule is None


def test_rules_combine_all_any_not(load):
    audiences = load("""\
        segments:
          spanish-speaking-elementary:
            description: Spanish speakers in elementary schools
            language: Spanish
            level: elementary
          mixed:
            any:
              - all: [{school: HHS}, {grade: 9-10}]
              - not: {topic: foodshare}
            not: [{language: en}, {language: pt}]
        """)
    spanish = audiences.segments["spanish-speaking-elementary"]
    assert spanish.rule == All((Condition("language", ("es",)), Condition("school", ("aiken", "duffy"))))
    assert spanish.rule.describe() == "language es and level elementary"
    mixed = audiences.segments["mixed"].rule
    assert mixed == All((
        Any((All((Condition("school", ("hall",)), Condition("grade", ("9", "10")))),
             Not(Condition("topic", ("foodshare",))))),
        Not(Any((Condition("language", ("en",)), Condition("language", ("pt",))))),
    ))


def test_unknown_field_names_its_key_path_line_and_a_fix(load):
    [problem] = problems_of(load, """\
        segments:
          spanish:
            all:
              - lnguage: es
        """)
    assert problem.key == "segments.spanish.all[0].lnguage"
    assert problem.line == 9
    assert "unknown field 'lnguage'" in problem.message
    assert "did you mean 'language'" in problem.hint
    assert str(problem).startswith("audiences.yaml:9: segments.spanish.all[0].lnguage")


def test_unknown_values_are_all_reported_with_suggestions(load):
    problems = problems_of(load, """\
        segments:
          a: {language: Spansh}
          b: {school: Aikn}
          c: {topic: [events, food-share]}
          d: {level: primary}
          e: {grade: 13}
          f: {any: []}
        """)
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {"segments.a.language", "segments.b.school", "segments.c.topic[1]", "segments.d.level",
                           "segments.e.grade", "segments.f.any"}
    assert "Spanish (es)" in by_key["segments.a.language"].hint
    assert "Aiken Elementary School" in by_key["segments.b.school"].hint
    assert "foodshare" in by_key["segments.c.topic[1]"].hint
    assert "elementary, middle, high" in by_key["segments.d.level"].hint
    assert "K-5" in by_key["segments.e.grade"].hint


def test_bad_schools_section(load):
    problems = problems_of(load, "segments:\n  all-families: {}\n", schools="""\
schools:
  aiken: {name: Aiken, level: primary}
  Duffy School: {name: Duffy, level: elementary, colour: red}
""")
    keys = {p.key for p in problems}
    assert keys == {"schools.aiken.level", "schools.Duffy School", "schools.Duffy School.colour"}


def test_unknown_segment_suggests_names(audiences):
    with pytest.raises(NewsletterError) as caught:
        audiences.segment("spanish-speaking-elementry")
    assert "did you mean spanish-speaking-elementary" in str(caught.value)


def test_missing_file_and_bad_yaml(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(NewsletterError, match="file not found"):
        load_audiences(tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("segments:\n  a: [\n", encoding="utf-8")
    with pytest.raises(NewsletterError, match="not valid YAML"):
        load_audiences(tmp_path / "bad.yaml")


@pytest.mark.parametrize("value, school", [("Aiken", "aiken"), ("AIKEN ELEMENTARY", "aiken"), ("AIK", "aiken"),
                                           ("aiken", "aiken"), ("Hall High", "hall"), ("Charter Oak", "charter-oak"),
                                           ("King Philip Middle", "king-philip"), ("KPMS", "king-philip"),
                                           ("Smith", "smith"), ("Smith STEM School", "smith"), ("SMI", "smith"),
                                           ("Whiting Lane", "whiting-lane"), ("Whiting Lane School", "whiting-lane"),
                                           ("Wolcott Elementary", "wolcott"), ("Bristow", "bristow"),
                                           ("Bristow Middle School", "bristow")])
def test_roster_school_names_resolve(audiences, value, school):
    assert audiences.school_id(value) == school


def test_unknown_school_suggests(audiences):
    with pytest.raises(ValueError, match="did you mean Conard High School"):
        audiences.school_id("Conrad High")


def test_audiences_read_like_issues_unknown_keys_suggest_and_empty_rules_are_refused(load):
    """The issue's schema engine: "did you mean" at every level, every problem at once, and an
    empty rule key is a mistake, never a segment of every family."""
    problems = problems_of(load, """\
        segmnts: {}
        segments:
          a: {descripton: Spanish speakers, language: es}
          b: {language: }
          c: {any: [{}]}
        """, schools=SCHOOLS + "  king: {name: King Philip Middle School, levl: middle}\n")
    by_key = {p.key: p for p in problems}
    assert set(by_key) == {"segmnts", "segments.a.descripton", "segments.b.language", "segments.c.any[0]",
                           "schools.king.levl", "schools.king.level"}
    assert "did you mean 'segments'" in by_key["segmnts"].hint
    assert "did you mean 'description'" in by_key["segments.a.descripton"].hint
    assert "did you mean 'level'" in by_key["schools.king.levl"].hint
    assert "needs a value" in by_key["segments.b.language"].message
    assert by_key["segments.b.language"].line == 10


def test_a_school_with_a_mistake_is_still_known_to_rules(load):
    """One problem for a school's bad level, not a second one for each rule naming the school."""
    [problem] = problems_of(load, "segments:\n  a: {school: aiken}\n",
                            schools="schools:\n  aiken: {name: Aiken Elementary School, level: primary}\n")
    assert problem.key == "schools.aiken.level" and "elementary, middle, high" in problem.message
