"""The issue editor: forms from the block schemas, problems as `check` words them at their field,
block and row operations, round-trip saving, conflicts, the preview and a new issue."""
from __future__ import annotations

import re
import types

from blocks.loader import load_issue
from tests.studio.conftest import SAMPLE

ISSUE = f"/equity/{SAMPLE}"
API = f"/api/equity/{SAMPLE}"


def post(client, url, **data):
    return client.post(url, data=data, headers={"X-CSRFToken": client.token})


def slot(html: str, key: str) -> str:
    from studio.forms import slot as slot_id
    found = re.search(rf'<div class="problems" id="{slot_id(key)}"[^>]*>(.*?)</div>', html, re.S)
    return found[1] if found else ""


def test_every_block_gets_a_form_from_its_schema(editor):
    page = editor.get(f"{ISSUE}/").get_data(as_text=True)
    assert 'type="datetime-local" value="2021-09-29T18:00"' in page            # event start: a native input
    assert re.search(r'<textarea[^>]*id="f-blocks-3-body"', page)                # Markdown: a textarea ...
    assert 'data-md="bold" data-for="f-blocks-3-body"' in page                  # ... with its buttons
    assert 'type="time" value="10:00"' in page and '<option selected>tuesday</option>' in page
    assert 'Library block</label>' in page and "mental-health" in page          # an include, read-only
    assert 'Time zone: America/New_York' in page
    for label in re.findall(r'<(?:input|select|textarea)[^>]*\bid="([^"]+)"', page):
        assert f'for="{label}"' in page, label                                     # every control labelled


def test_an_end_before_the_start_is_shown_at_the_end_field_and_fixed(editor):
    answer = post(editor, f"{API}/field", path="blocks[3].end", value="2021-09-29T17:00")
    html = answer.get_data(as_text=True)
    assert answer.headers["HX-Trigger"] == "studio:changed"
    assert "the event ends (2021-09-29 17:00) before it starts (2021-09-29 18:00)" in slot(html, "blocks[3].end")
    assert "1 problem" in html
    fixed = post(editor, f"{API}/field", path="blocks[3].end", value="2021-09-29T19:30").get_data(as_text=True)
    assert slot(fixed, "blocks[3].end").strip() == "" and "would pass" in fixed


def test_saving_keeps_comments_and_check_passes(app, editor, newsletters):
    path = newsletters / "equity" / SAMPLE / "issue.yaml"
    before = path.read_text(encoding="utf-8")
    post(editor, f"{API}/field", path="title", value="Equity news")
    post(editor, f"{API}/field", path="blocks[3].body", value="New paragraph one.\r\n\r\nAnd **two**.")
    assert path.read_text(encoding="utf-8") == before                          # a draft until saved
    saved = post(editor, f"{ISSUE}/save")
    assert saved.status_code == 302
    after = path.read_text(encoding="utf-8")
    assert "title: Equity news\n" in after and "    body: |\n      New paragraph one.\n\n      And **two**.\n" in after
    assert [l for l in before.splitlines() if "#" in l] == [l for l in after.splitlines() if "#" in l]
    import difflib
    changed = [l for l in difflib.unified_diff(before.splitlines(), after.splitlines(), n=0)
               if l[:1] in "+-" and not l.startswith(("+++", "---"))]
    assert len(changed) == 8            # the title (2 lines) and the body (4 old lines, 2 new): nothing else
    issue = load_issue(path.parent)                                             # compose.py check
    assert issue.title == "Equity news"
    history = editor.get(f"{ISSUE}/history").get_data(as_text=True)
    assert "save by eve@example.org" in history and "+title: Equity news" in history


def test_the_saved_file_builds_what_the_same_content_typed_as_yaml_builds(editor, newsletters, tmp_path):
    import shutil
    from blocks.render import render_issue
    folder = newsletters / "equity" / SAMPLE
    typed = newsletters / "equity" / "2021-typed"
    shutil.copytree(folder, typed)
    text = (typed / "issue.yaml").read_text(encoding="utf-8")
    (typed / "issue.yaml").write_text(text.replace("Register for the Kick Off", "Sign up for the Kick Off"),
                                      encoding="utf-8")
    post(editor, f"{API}/field", path="blocks[3].registration_label", value="Sign up for the Kick Off")
    post(editor, f"{ISSUE}/save")
    mine, theirs = load_issue(folder), load_issue(typed)
    for lang in ("en", "es"):
        from blocks.i18n.localize import localize
        a = render_issue(localize(mine, lang), lang).html
        b = render_issue(localize(theirs, lang), lang).html
        assert a.replace(SAMPLE, "X") == b.replace("2021-typed", "X")


def test_a_save_over_a_file_changed_since_is_refused_with_both_versions(editor, newsletters):
    path = newsletters / "equity" / SAMPLE / "issue.yaml"
    post(editor, f"{API}/field", path="blocks[0].heading", value="Mine")
    hand = path.read_text(encoding="utf-8").replace("Welcome Back!", "Theirs")
    path.write_text(hand, encoding="utf-8")                                    # someone else saved meanwhile
    refused = post(editor, f"{ISSUE}/save")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and path.read_text(encoding="utf-8") == hand
    assert "heading: Theirs" in page and "heading: Mine" in page and "welcome <strong>(differs)</strong>" in page
    over = re.search(r'name="over" value="([0-9a-f]+)"', page)[1]
    assert post(editor, f"{ISSUE}/save", over=over).status_code == 302
    assert "heading: Mine" in path.read_text(encoding="utf-8")


def test_blocks_move_remove_undo_duplicate_and_add(editor, app):
    def ids():
        from studio import documents, drafts
        studio = app.config["studio"]
        draft = drafts.current(studio.store, 1, "equity", SAMPLE, None, studio.clock())
        return [b.get("id") or b.get("include") for b in documents.load(draft.text)["blocks"]]

    editor.get(f"{ISSUE}/")
    first = ids()
    post(editor, f"{API}/blocks", action="down", index="0")
    assert ids()[:2] == [first[1], first[0]]
    removed = post(editor, f"{API}/blocks", action="remove", index="1").get_data(as_text=True)
    assert first[0] not in ids() and "Undo remove" in removed
    post(editor, f"{API}/blocks", action="undo", index="0")
    assert ids()[:2] == [first[1], first[0]]
    post(editor, f"{API}/blocks", action="duplicate", index="2")
    assert ids()[3] == f"{first[2]}-1"
    added = post(editor, f"{API}/blocks", action="add", index="0", type="event").get_data(as_text=True)
    assert ids()[0] == "event-1" and "&#39;title&#39; is required for event block" in added


def test_rows_of_a_list_are_added_moved_and_removed(editor):
    page = post(editor, f"{API}/rows", path="blocks[4].links", action="add").get_data(as_text=True)
    assert 'id="f-blocks-4-links-2-label"' in page
    post(editor, f"{API}/field", path="blocks[4].links[2].label", value="Third")
    post(editor, f"{API}/field", path="blocks[4].links[2].url", value="https://example.org/3")
    page = post(editor, f"{API}/rows", path="blocks[4].links", action="up", index="2").get_data(as_text=True)
    assert re.search(r'id="f-blocks-4-links-1-label" name="value"|value="Third"[^>]*id="f-blocks-4-links-1-label"', page)
    page = post(editor, f"{API}/rows", path="blocks[4].links", action="remove", index="1").get_data(as_text=True)
    assert "Third" not in page


def test_a_vague_link_label_gets_a_warning(editor):
    post(editor, f"{API}/rows", path="blocks[4].links", action="add")
    post(editor, f"{API}/field", path="blocks[4].links[2].label", value="click here")
    page = editor.get(f"{ISSUE}/").get_data(as_text=True)
    assert "do not say where the link goes" in page


def test_a_new_block_type_gets_a_form_with_no_studio_change(editor, monkeypatch):
    from blocks import kinds
    from blocks.kinds_time import Date
    from blocks.registry import BLOCK_TYPES
    from blocks.schema import Field, Schema
    module = types.SimpleNamespace(NAME="notice_board", SCHEMA=Schema({
        "headline": Field(kinds.Text(), required=True, help="what the notice is about"),
        "posted": Field(Date()),
        "urgent": Field(kinds.Bool(), default=False),
        "level": Field(kinds.Choice(("low", "high"))),
        "items": Field(kinds.ListOf(Schema({"what": Field(kinds.Text(), required=True)}, name="item"))),
    }, name="notice board block"))
    monkeypatch.setitem(BLOCK_TYPES, "notice_board", module)
    page = post(editor, f"{API}/blocks", action="add", index="0", type="notice_board").get_data(as_text=True)
    assert 'id="f-blocks-0-headline"' in page and 'type="date"' in page and 'type="checkbox"' in page
    assert "<option>high</option>" in page and "Add to items" in page
    assert "&#39;headline&#39; is required for notice board block" in page
    answer = post(editor, f"{API}/field", path="blocks[0].headline", value="Snow day").get_data(as_text=True)
    assert "headline&#39; is required" not in answer


def test_the_preview_shows_the_unsaved_draft_in_each_language_framed_by_the_studio_only(editor):
    post(editor, f"{API}/field", path="blocks[0].heading", value="Hello from the studio")
    html = editor.get(f"{ISSUE}/preview/en")
    assert "Hello from the studio" in html.get_data(as_text=True)
    assert "frame-ancestors 'self'" in html.headers["Content-Security-Policy"]
    assert html.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert editor.get(f"{ISSUE}/preview/ar").status_code == 200
    assert "Hello from the studio" in editor.get(f"{ISSUE}/text/en").get_data(as_text=True)
    assert editor.get(f"{ISSUE}/preview/xx").status_code == 404


def test_a_new_issue_starts_from_the_previous_one_with_its_todos_listed(editor, newsletters):
    form = editor.get("/equity/new").get_data(as_text=True)
    assert 'value="2021-11-nov"' in form
    answer = post(editor, "/equity/new", name="2021-11-nov")
    assert answer.status_code == 302 and answer.location.endswith("/equity/2021-11-nov/")
    page = editor.get("/equity/2021-11-nov/").get_data(as_text=True)
    assert "To do (" in page and "period" in page and (newsletters / "equity" / "2021-11-nov" / "issue.yaml").is_file()
    assert "2021-11-nov" in editor.get("/").get_data(as_text=True)
