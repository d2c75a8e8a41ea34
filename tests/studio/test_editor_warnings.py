"""The preview's warnings (preview/checks.py: the same messages) beside the fields they concern in
the editor, and the preview keeping its last good render while the draft has problems."""
from __future__ import annotations

from tests.studio.conftest import SAMPLE
from tests.studio.test_editor import API, ISSUE, post, slot


def test_a_vague_link_in_a_paragraph_is_warned_about_at_that_field(editor):
    html = post(editor, f"{API}/field", path="blocks[0].body", value="Lea todo [leer más](https://example.org).",
                shown="en").get_data(as_text=True)               # check knows English words; the preview more
    assert "link text &#39;leer más&#39; does not say where it goes" in slot(html, "blocks[0].body")
    assert "1 warning" in html and "(en)" in slot(html, "blocks[0].body")
    fixed = post(editor, f"{API}/field", path="blocks[0].body", value="Read [the equity policy](https://example.org).",
                 shown="en").get_data(as_text=True)
    assert "does not say where it goes" not in fixed


def test_a_token_nobody_fills_in_is_warned_about_at_its_field(editor):
    html = post(editor, f"{API}/field", path="subject", value="News for __FIRST_NAME__",
                shown="en").get_data(as_text=True)
    assert "__FIRST_NAME__ is not filled in in the subject line" in slot(html, "subject")


def test_stale_translations_are_warned_about_at_their_block_in_the_languages_shown(editor):
    html = post(editor, f"{API}/field", path="blocks[0].heading", value="Welcome back, families!",
                shown="en,es").get_data(as_text=True)
    assert "block(s) with stale translations: welcome" in slot(html, "blocks[0]") and "(es)" in slot(html, "blocks[0]")
    only_en = post(editor, f"{API}/field", path="blocks[0].heading", value="Welcome back, all!",
                   shown="en").get_data(as_text=True)
    assert "stale translations" not in only_en                     # the languages shown are checked
    page = editor.get(f"{ISSUE}/").get_data(as_text=True)
    assert "stale translations" not in page                         # the page itself: the first language


def test_an_email_over_gmails_clipping_size_is_warned_about_for_the_issue(editor, monkeypatch):
    from preview import checks
    monkeypatch.setattr(checks, "GMAIL_CLIP_WARNING", 10 * 1024)
    page = editor.get(f"{ISSUE}/").get_data(as_text=True)
    assert "over 10 KB" in slot(page, "") and "Gmail clips messages" in slot(page, "")


def test_the_preview_keeps_the_last_good_render_while_the_draft_has_problems(editor):
    post(editor, f"{API}/field", path="blocks[0].heading", value="Good heading")
    html = post(editor, f"{API}/field", path="blocks[3].end", value="2021-09-29T17:00").get_data(as_text=True)
    assert "before it starts" in html and 'id="last-good"' in html
    assert "Good heading" in editor.get(f"{ISSUE}/preview/en").get_data(as_text=True)
    assert "Good heading" in editor.get(f"{ISSUE}/text/en").get_data(as_text=True)
    post(editor, f"{API}/field", path="blocks[0].heading", value="Newer heading")   # still broken: the last good stays
    assert "Good heading" in editor.get(f"{ISSUE}/preview/en").get_data(as_text=True)
    fixed = post(editor, f"{API}/field", path="blocks[3].end", value="2021-09-29T20:00").get_data(as_text=True)
    assert 'id="last-good"' not in fixed
    assert "Newer heading" in editor.get(f"{ISSUE}/preview/en").get_data(as_text=True)


def test_a_draft_with_problems_opened_fresh_previews_the_saved_file(app, editor, newsletters):
    post(editor, f"{API}/field", path="blocks[3].end", value="2021-09-29T17:00")
    app.extensions.pop("studio_draft_renders")                       # another process, or after a restart
    assert "Welcome Back!" in editor.get(f"{ISSUE}/preview/en").get_data(as_text=True)
    assert 'id="last-good"' in editor.get(f"{ISSUE}/").get_data(as_text=True)
