"""Every YAML reader refuses what would take the machine down: alias bombs ("billion laughs"),
deep nesting and huge files, each as a located problem, quickly and in little memory.

The readers run in a child process with its address space limited (resource.setrlimit), so a
reader that ever expands a bomb again fails this test with a MemoryError instead of taking the
machine down, and one that recurses into deep nesting fails it with a crash.
"""
from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import ROOT

LIMIT = 256 * 1024 * 1024       # address space of the child: a bomb needs gigabytes, a refusal ~40 MB


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))
    resource.setrlimit(resource.RLIMIT_CPU, (60, 60))


def run_limited(args: list[str], cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, preexec_fn=_limited)


def bomb(levels: int = 9) -> str:
    """Nine lines that expand to 9**9 (387 million) strings if aliases are followed."""
    names = "abcdefghijklmnop"[:levels]
    lines = [f'{names[0]}: &{names[0]} [{", ".join(["lol"] * 9)}]']
    lines += [f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]" for p, n in zip(names, names[1:])]
    return "\n".join(lines) + "\n"


CASES = {
    "aliases": (bomb(), 2, "YAML aliases (*a) are not allowed"),
    "nested-1000": ("[" * 1000, 1, "nested more than 50 levels deep"),
    "nested-30000": ("[" * 30000, 1, "nested more than 50 levels deep"),
    "nested-blocks": ("".join(" " * i + "- \n" for i in range(1000)), 51, "nested more than 50 levels deep"),
    "oversized": ("notes: |\n" + "  a line of text that goes on and on\n" * 40000, None,
                  "larger than 1,000,000 bytes"),
}

READERS = {   # what reads the file, in the child: prints its problems as JSON
    "issue.yaml": "from blocks.loader import load_issue as read; target = folder",
    "audiences.yaml": "from mailer.audiences.audiences_file import load_audiences as read; target = path",
    "publication.yaml": "from blocks.loader import load_publication as read; target = path",
    "glossary.yaml": "from blocks.i18n.machine.glossary import load_glossary as read; target = path.parent",
}

CHILD = """\
import json, sys
from pathlib import Path
from common.errors import NewsletterError
path = Path(sys.argv[1]); folder = path.parent
{reader}
try:
    read(target)
except NewsletterError as e:
    print(json.dumps([[p.file, p.line, p.message, p.hint] for p in e.problems]))
else:
    print("[]")
"""


def _write(tmp_path, name: str, text: str):
    publication = tmp_path / "newsletters" / "equity"
    (publication / "bomb").mkdir(parents=True)
    shutil.copy(ROOT / "newsletters" / "equity" / "publication.yaml", publication / "publication.yaml")
    path = {"issue.yaml": publication / "bomb" / "issue.yaml", "audiences.yaml": tmp_path / "audiences.yaml",
            "publication.yaml": publication / "publication.yaml",
            "glossary.yaml": publication / "glossary.yaml"}[name]
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("reader", READERS)
def test_each_reader_refuses_with_a_located_problem(tmp_path, reader, case):
    text, line, message = CASES[case]
    path = _write(tmp_path, reader, text)
    result = run_limited([sys.executable, "-c", CHILD.format(reader=READERS[reader]), str(path)])
    assert result.returncode == 0, result.stderr[-2000:]
    problems = json.loads(result.stdout)
    ours = [p for p in problems if p[0].endswith(reader)]
    assert len(ours) == 1, problems
    file, at, said, hint = ours[0]
    assert at == line and message in said and hint


def test_check_stops_on_a_yaml_bomb_with_the_message(tmp_path):
    path = _write(tmp_path, "issue.yaml", bomb())
    assert len(path.read_bytes()) < 700
    result = run_limited([sys.executable, str(ROOT / "compose.py"), "check", str(path.parent)], cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert "newsletters/equity/bomb/issue.yaml:2: b[0]: YAML aliases (*a) are not allowed" in result.stderr
    assert "write the value out in full where it is needed" in result.stderr


def test_audience_list_stops_on_a_yaml_bomb_with_the_message(tmp_path):
    path = _write(tmp_path, "audiences.yaml", textwrap.dedent("""\
        schools:
          aiken: {name: Aiken Elementary School, level: elementary}
        segments:
          all-families: {description: &d [x, x, x]}
          other: {description: *d}
        """))
    result = run_limited([sys.executable, str(ROOT / "compose.py"), "audience", "list", "--audiences", str(path)],
                         cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-2000:]
    assert "audiences.yaml:5: segments.other.description: YAML aliases (*d) are not allowed" in result.stderr
