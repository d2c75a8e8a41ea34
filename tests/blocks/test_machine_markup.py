"""What a machine-translation provider is sent and how its answer comes back (markup.py), the
publication's glossary, and the `machine:` policy: pure functions, no server."""
from __future__ import annotations

import pytest

from blocks.i18n.exchange import check_translation
from blocks.i18n.machine.glossary import load_glossary
from blocks.i18n.machine.markup import MarkupError, billable, from_xml, to_xml
from blocks.i18n.policy import MachinePolicy, MachinePolicyKind
from blocks.i18n.units import all_units
from common.errors import NewsletterError
from common.problems import FieldError


def test_every_text_of_the_sample_survives_the_round_trip_and_the_import_checks(sample_issue):
    units = all_units(sample_issue)
    assert len(units) > 50
    for unit in units:
        back = from_xml(to_xml(unit.source, unit.markdown, ("Foodshare", "WHPS")), unit.markdown)
        assert check_translation(unit, unit.source, back) == [], unit.context


def test_markdown_goes_as_xml_with_addresses_placeholders_and_kept_names_ignored():
    text = ("Hello __FIRST_NAME__: **Foodshare** and *%(name)s* at [our site](https://www.whps.org/a?b=1&c=2),\n"
            "see https://example.org/x.\n\n- one\n- two")
    assert to_xml(text, True, ("Foodshare",)) == (
        '<p>Hello <x>__FIRST_NAME__</x>: <b><x>Foodshare</x></b> and <i><x>%(name)s</x></i> at '
        '<a href="https://www.whps.org/a?b=1&amp;c=2">our site</a>, see <x>https://example.org/x</x>.</p>'
        '<ul><li>one</li><li>two</li></ul>')
    assert to_xml("Tom & Jerry <3", False) == "Tom &amp; Jerry &lt;3"
    assert billable(to_xml(text, True)) == len("Hello __FIRST_NAME__: Foodshare and %(name)s at our site, "
                                               "see https://example.org/x.onetwo")


def test_answers_come_back_as_markdown_with_spaces_moved_out_of_emphasis():
    answer = ('<p>Traiga <b> juegos </b>y <i>música</i>: <a href="https://www.whps.org"> el sitio</a>, '
              '<x>__FIRST_NAME__</x>.</p><ul><li>uno</li><li>dos</li></ul>')
    assert from_xml(answer, True) == ("Traiga **juegos** y *música*: [el sitio](https://www.whps.org), "
                                      "__FIRST_NAME__.\n\n- uno\n- dos")
    assert from_xml("Picnic <x>Foodshare</x> familiar", False) == "Picnic Foodshare familiar"


@pytest.mark.parametrize("answer", ["<p>sin cerrar", "<p>a</p><table>b</table>", "<p><blink>b</blink></p>"])
def test_answers_that_are_not_our_xml_are_refused(answer):
    with pytest.raises(MarkupError):
        from_xml(answer, True)


def test_glossary_keeps_names_or_gives_staff_translations(tmp_path):
    (tmp_path / "glossary.yaml").write_text("Foodshare: keep\nOffice of Equity Advancement:\n"
                                            "  es: Oficina para el Avance de la Equidad\n  zh-Hans: 公平促进办公室\n")
    glossary = load_glossary(tmp_path)
    assert glossary.keep == ("Foodshare",)
    assert glossary.for_lang("zh_Hans") == {"Office of Equity Advancement": "公平促进办公室"}
    assert glossary.for_lang("vi") == {}
    assert load_glossary(tmp_path / "none").keep == ()


def test_glossary_mistakes_are_located(tmp_path):
    (tmp_path / "glossary.yaml").write_text("Foodshare: translate\nOffice:\n  xx-nope: Oficina\n  es: ''\n")
    with pytest.raises(NewsletterError) as caught:
        load_glossary(tmp_path)
    found = {(p.key, p.line) for p in caught.value.problems}
    assert {("Foodshare", 1), ("Office.xx-nope", 3), ("Office.es", 4)} <= found
    assert all(p.file.endswith("glossary.yaml") for p in caught.value.problems)


def test_machine_policy_per_language_and_per_issue():
    kind = MachinePolicyKind()
    publication = kind.clean({"default": "send", "ar": "hold"})
    assert publication.sends("vi") and not publication.sends("ar")
    assert kind.clean("hold").over(publication) == MachinePolicy("hold")           # the issue holds everything
    issue = kind.clean({"vi": "hold"}).over(publication)
    assert issue.sends("pt") and not issue.sends("vi") and not issue.sends("ar")
    assert kind.clean({"default": "hold", "pt": "send"}).over(publication).sends("es") is False
    for wrong in ("maybe", {"xx-nope": "send"}, {"es": "yes"}, ["send"]):
        with pytest.raises(FieldError):
            kind.clean(wrong)


def test_machine_policy_mistake_in_issue_yaml_names_file_line_and_key(make_issue):
    from blocks.loader import load_issue
    folder = make_issue("title: T\nperiod: P\nsubject: S\npreheader: H\nmachine: sometimes\nblocks:\n"
                        "  - {type: text, id: a, body: Hi}\n")
    with pytest.raises(NewsletterError) as caught:
        load_issue(folder)
    [problem] = caught.value.problems
    assert problem.key == "machine" and problem.line == 5 and "not send or hold" in problem.message
