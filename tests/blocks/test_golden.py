"""The sample issue renders exactly as reviewed. After an intended change, look at the new
preview in a browser, then refresh the golden files with:

    UPDATE_GOLDEN=1 python -m pytest tests/blocks/test_golden.py
"""
import os
import re
from pathlib import Path

import pytest

GOLDEN = Path(__file__).parents[1] / "golden" / "2021-09-sept-oct"
SOURCE_DATE_EPOCH = "1630454400"   # 2021-09-01T00:00:00Z: the same bytes on every run


def normalize_html(html: str) -> str:
    """One tag per line, whitespace collapsed: stable and readable in a diff."""
    return re.sub(r">\s*<", ">\n<", re.sub(r"[ \t\r\n]+", " ", html)).strip() + "\n"


@pytest.fixture(scope="module")
def rendered(sample_issue):
    from blocks.i18n.localize import localize
    from blocks.render import render_issue
    from common.settings import Settings
    stamp = Settings.from_env({"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH}).build_time   # calendar files: a fixed time
    return {lang: render_issue(localize(sample_issue, lang), lang, stamp=stamp) for lang in ("en", "es", "ar", "vi")}


# vi: a machine edition (the sample's are the test stub's pseudo-translations), with its banner
@pytest.mark.parametrize("name", ["en.html", "en.txt", "es.html", "es.txt", "ar.html", "ar.txt", "vi.html", "vi.txt"])
def test_sample_issue_matches_golden(rendered, name):
    lang, kind = name.split(".")
    email = rendered[lang]
    actual = normalize_html(email.html) if kind == "html" else email.text
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} changed; review the preview and refresh with UPDATE_GOLDEN=1"
