"""A block's picture goes out with the edition: published before the first family gets the email,
served by the preference center at the address the email links to, written by `publish --to` and
by `build` (a sent email never points at a picture nobody serves)."""
from __future__ import annotations

import email
import email.policy
import io
import re

from PIL import Image

from tests.web.conftest import BASE, ISSUE, WEB


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(out, "PNG")
    return out.getvalue()


def with_picture(newsletters) -> bytes:
    folder = newsletters / "equity" / ISSUE
    (folder / "images").mkdir()
    data = picture()
    (folder / "images" / "welcome.png").write_bytes(data)
    issue = (folder / "issue.yaml").read_text(encoding="utf-8")
    issue = issue.replace("    id: welcome\n", "    id: welcome\n    image: {file: images/welcome.png, alt: Families "
                          "at the kick off, width: 120, height: 80}\n", 1)
    (folder / "issue.yaml").write_text(issue, encoding="utf-8")
    return data


def test_a_picture_is_published_with_the_edition_and_served_where_the_email_links(families, send, run, client,
                                                                                  newsletters, tmp_path):
    data = with_picture(newsletters)
    assert send().exit_code == 0
    message = email.message_from_bytes(next((tmp_path / "outbox" / "equity" / ISSUE / "en").glob("*.eml"))
                                       .read_bytes(), policy=email.policy.default)
    html = message.get_body(("html",)).get_content()
    assert f'src="{BASE}{WEB}/images/welcome.png"' in html and 'alt="Families at the kick off"' in html
    served = client.get(f"{WEB}/images/welcome.png")
    assert served.status_code == 200 and served.data == data and served.content_type == "image/png"
    assert client.get(f"{WEB}/images/other.png").status_code == 404
    assert client.get(f"{WEB}/images/welcome.svg").status_code == 404
    page = client.get(f"{WEB}/en.html")
    assert f"{WEB}/images/welcome.png" in page.get_data(as_text=True)
    assert "img-src 'self'" in page.headers["Content-Security-Policy"]
    assert "welcome.png" not in re.sub(r'<img[^>]*>', "", client.get(f"{WEB}/").get_data(as_text=True))  # no "calendar"

    out = tmp_path / "site"
    assert run("publish", newsletters / "equity" / ISSUE, "--to", out).exit_code == 0
    assert (out / ISSUE / "images" / "welcome.png").read_bytes() == data
    built = tmp_path / "build"
    assert run("build", newsletters / "equity" / ISSUE, "--out", built).exit_code == 0
    assert (built / "images" / "welcome.png").read_bytes() == data
