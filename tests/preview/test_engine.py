"""The preview's model: what a rebuild renders again, what it shows, and that a quick render
(changed blocks only) is exactly the full render a send makes."""
from __future__ import annotations

import dataclasses

import pytest
from click.testing import CliRunner

from blocks.i18n.localize import localize
from blocks.loader import load_issue
from blocks.render import render_issue
from preview.previewer import Previewer
from preview.incremental import Renderer
from tests.conftest import ROOT, SAMPLE
from tests.preview.conftest import KICKOFF, edit

EVERY_BLOCK = ROOT / "tests" / "fixtures" / "newsletters" / "every-block"


@pytest.mark.parametrize("folder, langs", [(SAMPLE, ("en", "es", "ar")), (EVERY_BLOCK, ("en", "es", "ar"))])
def test_a_quick_render_of_any_one_block_is_the_full_render(folder, langs):
    issue = load_issue(folder)
    for lang in langs:
        localized = localize(issue, lang)
        full = render_issue(localized, lang)
        for i in range(len(localized.blocks)):
            renderer = Renderer()
            renderer.render(localized, lang, ())
            old = renderer.editions[lang]               # pretend block i changed since
            renderer.editions[lang] = dataclasses.replace(
                old, block_keys=tuple("changed" if j == i else key for j, key in enumerate(old.block_keys)))
            quick, how = renderer.render(localized, lang, ())
            # A block is rendered alone (between its neighbours where blocks differ in direction)
            # under the whole issue's note at the top, which lists the sections still in English.
            assert how == "quick"
            assert quick.email.html == full.html, f"{lang}: block {localized.blocks[i].id}"
            assert quick.shown.head + "".join(quick.shown.sections) == full.preview().html


def test_first_build_shows_every_language_with_block_statuses(issue):
    snapshot = Previewer(issue).rebuild()
    assert snapshot.problems == () and list(snapshot.views) == ["en", "es", "ar"]
    en, es, ar = snapshot.views.values()
    assert {label.status for label in en.labels} == {"source"}
    assert [label.id for label in es.labels][:4] == ["welcome", "what-to-expect", "events", "kickoff"]
    assert ar.direction == "rtl" and ar.subject.startswith("أهلاً") and en.sender == "WHPS Office of Equity Advancement"
    assert {label.status for label in ar.labels} >= {"approved", "missing"}
    assert all(view.labelled for view in snapshot.views.values())
    assert 'data-block="kickoff"' in es.frame and "__UNSUBSCRIBE_URL__" not in es.frame
    assert 'dir="rtl"' in ar.frame and "#preview-unsubscribe-link" in ar.frame


def test_editing_one_block_renders_only_it_and_marks_its_translations_stale(issue):
    previewer = Previewer(issue)
    first = previewer.rebuild()
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off, now in person")
    snapshot = previewer.rebuild([issue / "issue.yaml"])
    assert set(dict(snapshot.rendered).values()) == {"quick"}      # the note at the top changes: spliced too
    es = snapshot.views["es"]
    assert "Kick Off, now in person" in es.frame                   # shown in English until re-translated
    assert next(label for label in es.labels if label.id == "kickoff").status == "stale"
    assert any("stale translations: kickoff" in w.message for w in snapshot.warnings)
    changed = [i for i, (a, b) in enumerate(zip(first.views["en"].digests["sections"],
                                                 snapshot.views["en"].digests["sections"])) if a != b]
    assert len(changed) == 1                                       # one section: the kickoff block's
    edit(issue / "issue.yaml", "title: Kick Off, now in person", "title: Kick Off, online")
    snapshot = previewer.rebuild([issue / "issue.yaml"])
    assert dict(snapshot.rendered) == {"en": "quick", "es": "quick", "ar": "quick"}
    assert snapshot.settling and "Kick Off, online" not in snapshot.views["en"].text   # the text part lags ...
    settled = previewer.settle()
    assert not settled.settling and "Kick Off, online" in settled.views["en"].text     # ... until settled
    assert previewer.renderer.quick_ok and previewer.renderer.differed == []


SUBJECT = 'subject: "Welcome back! Equity events and family resources - Sept/Oct 2021"'


def test_a_subject_edit_changes_the_inbox_only_and_is_exact(issue):
    previewer = Previewer(issue)
    first = previewer.rebuild()
    for n in (1, 2):                     # the first makes the translated subjects stale (English), then again
        was = SUBJECT if n == 1 else 'subject: "New term, take 1"'
        edit(issue / "issue.yaml", was, f'subject: "New term, take {n}"')
        snapshot = previewer.rebuild([issue / "issue.yaml"])
        assert dict(snapshot.rendered) == {"en": "quick", "es": "quick", "ar": "quick"}
        for lang, view in snapshot.views.items():
            before = first.views[lang]
            assert view.subject == f"New term, take {n}" and view.inbox["title"] == view.subject
            assert view.digests["head"] == before.digests["head"] and view.digests["inbox"] != before.digests["inbox"]
            assert view.digests["sections"][2:] == before.digests["sections"][2:] or lang != "en"
        assert previewer.settle() is not None and previewer.renderer.differed == []


def test_languages_no_page_shows_wait_for_catch_up_then_are_current(issue):
    previewer = Previewer(issue)
    first = previewer.rebuild()
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off, now in person")
    snapshot = previewer.rebuild([issue / "issue.yaml"], first={"en"})
    assert dict(snapshot.rendered) == {"en": "quick"} and snapshot.settling
    assert snapshot.views["ar"] is first.views["ar"] and "Kick Off, now in person" in snapshot.views["en"].frame
    caught = previewer.catch_up()
    assert {lang for lang, _ in caught.rendered} == {"es", "ar"}
    assert "Kick Off, now in person" in caught.views["ar"].frame
    assert previewer.catch_up() is None
    while previewer.settle():
        pass
    assert not previewer.snapshot.settling and previewer.renderer.differed == []
    for lang in ("es", "ar"):            # what a send would make, to the byte
        sent = render_issue(localize(load_issue(issue), lang), lang)
        assert previewer.renderer.editions[lang].email.html == sent.html


def test_a_translation_change_renders_that_language_only_and_a_save_without_change_nothing(issue):
    previewer = Previewer(issue)
    previewer.rebuild()
    po = issue / "i18n" / "es.po"
    edit(po, 'msgstr "Próximos eventos"', 'msgstr "Eventos próximos"')
    snapshot = previewer.rebuild([po])
    assert dict(snapshot.rendered) == {"es": "quick"} and "Eventos próximos" in snapshot.views["es"].frame
    snapshot = previewer.rebuild([issue / "issue.yaml"])
    assert snapshot.rendered == () and "the emails are the same" in snapshot.summary


def test_problems_are_what_check_prints_and_the_last_good_preview_stays(issue):
    from compose import cli
    previewer = Previewer(issue)
    good = previewer.rebuild()
    edit(issue / "issue.yaml", "type: event\n    id: kickoff", "type: evnt\n    id: kickoff")
    snapshot = previewer.rebuild([issue / "issue.yaml"])
    checked = CliRunner().invoke(cli, ["check", "newsletters/equity/2021-09-sept-oct"])
    assert checked.exit_code == 1
    assert checked.output.startswith("\n".join(str(p) for p in snapshot.problems) + "\n")
    assert str(snapshot.problems[0]).startswith("newsletters/equity/2021-09-sept-oct/issue.yaml:")
    assert "unknown block type 'evnt'\n    -> did you mean 'event'?" in str(snapshot.problems[0])
    assert snapshot.views == good.views and snapshot.good_at == good.good_at
    po = issue / "i18n" / "es.po"                                  # a PO change does not hide the problem
    edit(po, 'msgstr "Próximos eventos"', 'msgstr "Eventos próximos"')
    assert previewer.rebuild([po]).problems == snapshot.problems


def test_a_broken_translation_is_a_problem_for_its_language_only(issue):
    previewer = Previewer(issue)
    good = previewer.rebuild()
    edit(issue / "i18n" / "es.po", 'msgstr "Próximos eventos"', 'msgstr "Próximos eventos __FIRSTNAME__"')
    snapshot = previewer.rebuild([issue / "i18n" / "es.po"])
    [problem] = snapshot.problems
    assert problem.key == "es" and "__FIRSTNAME__" in problem.message
    assert snapshot.views["es"] is good.views["es"] and snapshot.views["ar"] == good.views["ar"]


def test_chrome_catalog_changes_are_read_again(issue, tmp_path, monkeypatch):
    from blocks.i18n import chrome
    from preview import previewer as engine
    catalogs = tmp_path / "chrome"
    catalogs.mkdir()
    for po in chrome.CATALOGS.glob("*.po"):
        catalogs.joinpath(po.name).write_bytes(po.read_bytes())
    monkeypatch.setattr(chrome, "CATALOGS", catalogs)
    monkeypatch.setattr(engine, "CHROME_CATALOGS", catalogs.resolve())
    from blocks import render
    render.reload_chrome()
    previewer = Previewer(issue)
    assert "Ver este correo en su navegador" in previewer.rebuild().views["es"].frame
    edit(catalogs / "es.po", 'msgstr "Ver este correo en su navegador"', 'msgstr "Ver en el navegador"')
    snapshot = previewer.rebuild([catalogs / "es.po"])
    assert "Ver en el navegador" in snapshot.views["es"].frame and dict(snapshot.rendered) == {"es": "full"}
    monkeypatch.undo()
    render.reload_chrome()


def test_the_stale_translation_hint_names_the_issue_folder_and_the_language(issue):
    from common.yaml_source import display_path
    previewer = Previewer(issue)
    previewer.rebuild()
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off, now in person")
    snapshot = previewer.rebuild([issue / "issue.yaml"])
    stale = [w for w in snapshot.warnings if "stale translations: kickoff" in w.message]
    assert stale
    for warning in stale:
        assert "<issue>" not in warning.hint and "<code>" not in warning.hint
        [lang] = warning.langs                       # one hint per language: it names it
        assert warning.hint.endswith(f"python compose.py translations export {display_path(issue)} --lang {lang}")


@pytest.mark.parametrize("hostile", [
    "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b]\n",
    "title: " + "[" * 30000 + "\n",
])
def test_a_hostile_file_is_a_problem_in_the_preview_and_the_last_good_preview_stays(issue, hostile):
    """Aliases and deep nesting are refused by the one YAML reader: the preview shows the problem."""
    previewer = Previewer(issue)
    good = previewer.rebuild()
    (issue / "issue.yaml").write_text(hostile, encoding="utf-8")
    snapshot = previewer.rebuild([issue / "issue.yaml"])
    assert snapshot.problems and str(snapshot.problems[0]).startswith("newsletters/equity/2021-09-sept-oct/issue.yaml")
    assert snapshot.views == good.views
