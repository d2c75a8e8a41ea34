"""common/yaml_source.py reads with libyaml when PyYAML has it, and it changes nothing; tabs are explained."""
from __future__ import annotations

import pytest
import yaml

from common import yaml_source
from tests.conftest import ROOT

FILES = sorted(p for p in ROOT.rglob("*.yaml") if ".venv" not in p.parts and "node_modules" not in p.parts)


def _read(monkeypatch, path, fast: bool):
    monkeypatch.setattr(yaml_source, "_FastLoader", yaml_source._FastLoader if fast else None)
    doc, problems = yaml_source.load_yaml(path)
    return (doc.data, doc.lines) if doc else None, [str(p) for p in problems]


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_libyaml_reads_every_file_exactly_as_pure_python_does(monkeypatch, path):
    assert _read(monkeypatch, path, fast=True) == _read(monkeypatch, path, fast=False)


@pytest.mark.parametrize("text", ["a: 1\n  b: 2\n", "a: [1, 2\n", "a: 'open\n", "- a\nb: c\n", "a: 1\na: 2\n",
                                  "when: 10:00\nflag: no\nday: 2021-09-29\n"])
def test_mistakes_and_values_read_the_same_with_or_without_libyaml(monkeypatch, tmp_path, text):
    path = tmp_path / "issue.yaml"
    path.write_text(text, encoding="utf-8")
    assert _read(monkeypatch, path, fast=True) == _read(monkeypatch, path, fast=False)


@pytest.mark.parametrize("text, line", [("title: T\nblocks:\n\t- type: text\n", 3), ("a:\n  b: 1\n\tc: 2\n", 3)])
def test_a_tab_in_the_indentation_says_to_use_spaces(monkeypatch, tmp_path, text, line):
    path = tmp_path / "issue.yaml"
    path.write_text(text, encoding="utf-8")
    for fast in (True, False):
        data, problems = _read(monkeypatch, path, fast)
        assert data is None and len(problems) == 1
        assert f"issue.yaml:{line}: not valid YAML" in problems[0]
        assert "tab: use spaces for indentation" in problems[0]


def test_one_document_keys_lines_and_duplicates_are_read_as_before(monkeypatch, tmp_path):
    path = tmp_path / "issue.yaml"
    path.write_text("a: 1\nb:\n  - x\n  - {c: d, c: e}\n", encoding="utf-8")
    for fast in (True, False):
        (data, lines), problems = _read(monkeypatch, path, fast)
        assert data == {"a": 1, "b": ["x", {"c": "e"}]}
        assert lines == {"": 1, "a": 1, "b": 2, "b[0]": 3, "b[1]": 4, "b[1].c": 4}
        assert problems == [f"{path}:4: b[1].c: this key appears twice; the second would silently win\n"
                            "    -> keep only one of them"]
    path.write_text("--- a\n--- b\n", encoding="utf-8")
    assert "issue.yaml:2: not valid YAML: but found another document" in _read(monkeypatch, path, True)[1][0]
