"""The build's index.html (templates/pages/index.html.j2) and the templates' packaging."""
import dataclasses
import fnmatch
import re
import tomllib

from blocks.build import build_issue, index_page
from blocks.loader import load_issue
from tests.conftest import ROOT


def test_index_escapes_what_staff_write(make_issue, tmp_path):
    folder = make_issue("""\
        title: Q&A night
        period: Fall < Winter
        subject: Fees < $20 & free lunch
        preheader: H
        blocks:
          - {type: text, id: a, body: Hello}
        """)
    build_issue(load_issue(folder), tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert '<td lang="en" dir="auto">Fees &lt; $20 &amp; free lunch</td>' in index
    assert "<title>Previews: Q&amp;A night - Fall &lt; Winter</title>" in index
    assert "Fees < $20" not in index and "Q&A" not in index


def test_index_escapes_markup_in_a_subject(make_issue, tmp_path):
    issue = load_issue(make_issue("title: T\nperiod: P\nsubject: S\npreheader: H\nblocks:\n"
                                  "  - {type: text, id: a, body: Hello}\n"))
    [summary] = build_issue(issue, tmp_path / "out")
    index = index_page(issue, [dataclasses.replace(summary, subject='<script>alert("x")</script> & more')])
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in index
    assert "<script>" not in index


def test_index_shows_each_language_status_and_size(sample_issue, tmp_path):
    summaries = build_issue(sample_issue, tmp_path / "out")
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert index.startswith("<!doctype html>\n") and index.endswith("</html>\n")
    assert '<td>Arabic (<span lang="ar">العربية</span>)</td>' in index
    assert re.search(r"partial: untranslated blocks sent in English<br><small>\d+% of words approved; "
                     r"missing \d+</small>", index)
    assert f"<td>{summaries[0].html_bytes / 1024:.0f} KB</td>" in index
    big = dataclasses.replace(summaries[0], html_bytes=200 * 1024)
    assert "<td>200 KB - may be clipped by Gmail</td>" in index_page(sample_issue, [big])
    assert '<iframe src="es.html" title="Spanish preview" loading="lazy"></iframe>' in index


def test_every_template_is_packaged():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["blocks"]
    templates = ROOT / "blocks" / "templates"
    for path in templates.rglob("*.j2"):
        name = path.relative_to(ROOT / "blocks").as_posix()
        assert any(fnmatch.fnmatch(name, g) and name.count("/") == g.count("/") for g in globs), name
