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


def picture(fmt: str = "JPEG", size=(2400, 1600)) -> bytes:
    import io
    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 160)).save(out, format=fmt)
    return out.getvalue()


def upload(client, path: str, data: bytes, name: str = "photo.jpg"):
    import io
    return client.post(f"{API}/image", data={"path": path, "picture": (io.BytesIO(data), name)},
                       headers={"X-CSRFToken": client.token}, content_type="multipart/form-data")


def test_a_picture_uploaded_to_the_intro_is_resized_stored_beside_the_issue_and_needs_alt_text(editor, newsletters):
    from PIL import Image
    page = editor.get(f"{ISSUE}/").get_data(as_text=True)
    assert 'id="f-blocks-0-image-upload"' in page and 'accept="image/png,image/jpeg,image/webp"' in page
    answer = upload(editor, "blocks[0].image", picture()).get_data(as_text=True)
    stored = newsletters / "equity" / SAMPLE / "images" / "welcome.jpg"
    with Image.open(stored) as saved:
        assert saved.format == "JPEG" and saved.size == (1200, 800)             # resized for email
    assert "&#39;alt&#39; is required for image" in slot(answer, "blocks[0].image.alt")   # as check says
    post(editor, f"{API}/field", path="blocks[0].image.alt", value="Families at last year's forum")
    html = editor.get(f"{ISSUE}/preview/en").get_data(as_text=True)
    assert 'src="./images/welcome.jpg"' in html and 'alt="Families at last year\'s forum"' in html
    assert 'width="552"' in html and 'height="368"' in html                    # the content's width, in proportion
    assert editor.get(f"{ISSUE}/preview/images/welcome.jpg").status_code == 200
    assert "[Picture: Families at last year's forum]" in editor.get(f"{ISSUE}/text/en").get_data(as_text=True)
    assert post(editor, f"{ISSUE}/save").status_code == 302
    from blocks.loader import load_issue
    assert load_issue(stored.parent.parent).blocks[0].fields.image.alt == "Families at last year's forum"


def test_an_upload_that_is_not_a_png_jpeg_or_webp_is_refused_at_its_field(editor, newsletters):
    answer = upload(editor, "blocks[0].image", picture("GIF", (10, 10)), "x.gif").get_data(as_text=True)
    assert "picture not uploaded: a GIF picture: upload a PNG, JPEG or WebP" in slot(answer, "blocks[0].image")
    answer = upload(editor, "blocks[0].image", b"not a picture", "x.png").get_data(as_text=True)
    assert "not a picture the studio can read" in answer
    assert not (newsletters / "equity" / SAMPLE / "images").exists()
    assert upload(editor, "blocks[1].heading", picture()).status_code == 400


def test_check_refuses_a_picture_without_alt_text_or_file(tmp_path):
    import shutil
    import pytest
    from blocks.loader import load_issue
    from common.errors import NewsletterError
    from tests.conftest import ROOT
    shutil.copytree(ROOT / "newsletters", tmp_path / "newsletters")
    folder = tmp_path / "newsletters" / "equity" / SAMPLE
    text = (folder / "issue.yaml").read_text(encoding="utf-8")
    (folder / "issue.yaml").write_text(text.replace("    heading: Welcome Back!\n",
                                                    "    heading: Welcome Back!\n    image:\n      file: images/a.png\n", 1),
                                       encoding="utf-8")
    with pytest.raises(NewsletterError) as refused:
        load_issue(folder)
    assert [(p.key, p.message) for p in refused.value.problems] == [("blocks[0].image.alt", "'alt' is required for image")]
    (folder / "issue.yaml").write_text(text.replace("    heading: Welcome Back!\n",
                                                    "    heading: Welcome Back!\n    image:\n      file: images/a.png\n"
                                                    "      alt: A drawing\n", 1), encoding="utf-8")
    with pytest.raises(NewsletterError) as refused:
        load_issue(folder)
    assert [(p.key, p.message) for p in refused.value.problems] == [("blocks[0].image.file",
                                                                     "no picture images/a.png beside the issue")]
