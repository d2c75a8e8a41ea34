"""Warnings in the page: what families would meet that `check` lets through."""
from __future__ import annotations

from preview import checks
from preview.contrast import low_contrast
from preview.previewer import Previewer
from tests.preview.conftest import KICKOFF, edit


def test_the_sample_issue_has_no_warnings(issue):
    assert Previewer(issue).rebuild().warnings == ()


def test_text_too_faint_for_its_background_is_found_once_with_an_example():
    html = ('<div style="background-color:#f7f9fb"><p style="color:#8a8a8a">Faint words here</p>'
            '<p style="color: #8a8a8a">More</p><h1 style="font-size:26px;color:#767676">Large is fine at 3:1</h1>'
            '<div style="display:none;color:#ffffff">hidden preheader</div><p style="color:#1f2933">Dark</p></div>')
    [(message, hint)] = low_contrast(html)
    assert "#8a8a8a on #f7f9fb" in message and "below 4.5:1" in message and "Faint words here" in message
    assert "brand_color" in hint


def test_images_vague_links_and_tokens_in_a_section():
    found = checks.check_section('<div class="block-text"><img src="a.png"><img src="b.png" alt="">'
                                 '<a href="https://x.org">Aquí</a> <a href="https://x.org">Menus for October</a>'
                                 '<p>__FIRSTNAME__</p></div>')
    messages = [message for message, _ in found]
    assert messages[0] == "1 image(s) without alt text"
    assert "link text 'Aquí' does not say where it goes" in messages
    assert any("unresolved token(s) __FIRSTNAME__" in m for m in messages)


def test_a_vague_link_in_a_translation_is_named_with_its_language_and_block(issue):
    previewer = Previewer(issue)
    previewer.rebuild()
    po = issue / "i18n" / "es.po"
    edit(po, 'msgstr "Inscríbase en el lanzamiento"', 'msgstr "Haga clic aquí"')
    [warning] = previewer.rebuild([po]).warnings
    assert warning.langs == ("es",) and warning.where == "kickoff"
    assert warning.message == "link text 'Haga clic aquí' does not say where it goes"


def test_size_subject_tokens_and_a_held_language(issue, monkeypatch):
    monkeypatch.setattr(checks, "GMAIL_CLIP_WARNING", 10 * 1024)
    edit(issue / "issue.yaml", 'subject: "Welcome back!', 'subject: "__FIRST_NAME__, welcome back!')
    edit(issue / "issue.yaml", "languages: [en, es, ar]", "languages: [en, es, ar]\nfallback: hold")
    warnings = Previewer(issue).rebuild().warnings
    sizes = [w for w in warnings if w.where == "size"]
    assert [w.langs for w in sizes] == [("en",), ("es",), ("ar",)]
    assert sizes[0].message.endswith("KB, over 10 KB") and "Gmail clips" in sizes[0].hint
    [subject] = [w for w in warnings if w.where == "subject"]
    assert subject.message.startswith("__FIRST_NAME__ is not filled in")   # es, ar: stale, so English too
    assert subject.langs == ("en", "es", "ar")
    [held] = [w for w in warnings if w.message.startswith("held")]
    assert held.langs == ("es", "ar")                     # the subject changed: stale in both


def test_placeholders_in_calendar_files_are_named(issue):
    edit(issue / "issue.yaml", KICKOFF, "title: Kick Off for __FIRST_NAME__")
    found = [w for w in Previewer(issue).rebuild().warnings if w.where.endswith(".ics")]
    # the edit makes the Spanish and Arabic translations stale: those editions show the English block
    # and link its English calendar file, so one file carries the placeholder
    assert [w.where for w in found] == ["kickoff-en.ics"]
    assert all(w.message == "__FIRST_NAME__ is not filled in in calendar files" for w in found)


def test_warnings_for_several_languages_are_one_line():
    merged = checks.merge({"en": [("kickoff", "m", "h")], "es": [("kickoff", "m", "h"), ("size", "big", "")]})
    assert [str(w) for w in merged] == ["en, es: kickoff: m\n    -> h", "es: size: big"]
