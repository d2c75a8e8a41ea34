"""A field's new one-line value is written into the draft's text in place (studio/documents.py
patch_scalar): byte for byte what writing the whole document again gives, for every text value of
the sample issues and values that need quoting; otherwise (a comment after it, several lines, a
new key) it declines and the whole document is written."""
from __future__ import annotations

import pytest

from studio import documents
from tests.conftest import ROOT
from tests.studio.conftest import SAMPLE
from tests.studio.test_editor import API, ISSUE, post

VALUES = ["Hello", "It's: here # x", '"quoted"', "10:00", "2021-11-17", "true", "- dash", "a #b", "ünïcode ✓",
          "@at", "123", "null", "x" * 300]


def text_keys(node, key=""):
    if isinstance(node, dict):
        for name, value in node.items():
            yield from text_keys(value, f"{key}.{name}" if key else name)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from text_keys(value, f"{key}[{i}]")
    elif isinstance(node, str):
        yield key


@pytest.mark.parametrize("publication", ["equity", "food"])
def test_a_patched_value_is_what_writing_the_whole_document_gives(publication):
    import copy
    text = (ROOT / "newsletters" / publication / SAMPLE / "issue.yaml").read_text(encoding="utf-8")
    parsed, patched = documents.load(text), 0
    for i, key in enumerate(text_keys(parsed)):
        value = VALUES[i % len(VALUES)]                      # every value, spread over the keys (a dump is slow)
        data = copy.deepcopy(parsed)                         # with its line and column marks
        quick = documents.patch_scalar(text, data, key, value)
        documents.put(data, key, value)
        if quick is not None:
            patched += 1
            assert quick == documents.dump(data), (key, value)
    assert patched > 30


def test_it_declines_what_it_cannot_write_in_place():
    text = (ROOT / "newsletters" / "equity" / SAMPLE / "issue.yaml").read_text(encoding="utf-8")
    data = documents.load(text)
    assert documents.patch_scalar(text, data, "blocks[3].registration", "https://example.org") is None  # comment after
    assert documents.patch_scalar(text, data, "blocks[0].body", "One line") is None                    # a | block
    assert documents.patch_scalar(text, data, "blocks[0].nothing", "x") is None                        # a new key
    assert documents.patch_scalar(text, data, "title", "two\nlines") is None
    assert documents.patch_scalar(text, data, "title", "") is None                                     # removed


def test_edits_in_place_and_whole_stay_true_to_the_file(editor, newsletters):
    post(editor, f"{API}/field", path="blocks[0].heading", value="One")              # in place
    post(editor, f"{API}/blocks", action="down", index="0")                           # the whole document
    post(editor, f"{API}/field", path="blocks[1].heading", value="Two: after the move")   # marks renewed
    post(editor, f"{API}/field", path="blocks[3].registration", value="https://example.org/r")   # declined
    post(editor, f"{ISSUE}/save")
    saved = (newsletters / "equity" / SAMPLE / "issue.yaml").read_text(encoding="utf-8")
    data = documents.load(saved)
    assert data["blocks"][1]["heading"] == "Two: after the move" and data["blocks"][0]["id"] == "what-to-expect"
    assert data["blocks"][3]["registration"] == "https://example.org/r"
    assert documents.dump(data) == saved
