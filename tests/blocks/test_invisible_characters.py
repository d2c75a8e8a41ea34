"""Control and invisible characters in texts are refused at `check`, with the character (U+XXXX
and its name) and where it is, instead of crashing `build` or going raw into a Subject header."""
import subprocess
import sys

import pytest

from blocks.kinds import Markdown, Text
from blocks.loader import load_issue
from common.errors import NewsletterError
from common.problems import FieldError
from tests.conftest import ROOT

ISSUE = """\
title: Test issue
period: October 2021
subject: "{subject}"
preheader: Test preheader
languages: [en]
blocks:
  - type: text
    id: hello
    body: "{body}"
"""


def problems(make_issue, subject="Test subject", body="Hello families.", name="test-issue"):
    with pytest.raises(NewsletterError) as caught:
        load_issue(make_issue(ISSUE.format(subject=subject, body=body), name))
    return caught.value.problems


@pytest.mark.parametrize("escape, named", [
    (r"\v", "U+000B LINE TABULATION"), (r"\f", "U+000C FORM FEED"), (r"\b", "U+0008 BACKSPACE"),
    (r"\e", "U+001B ESCAPE"), (r"\0", "U+0000 NULL"), (r"\r", "U+000D CARRIAGE RETURN"),
    (r"\x7f", "U+007F DELETE"), (r"\t", "U+0009 CHARACTER TABULATION"), (r"\x85", "U+0085 NEXT LINE"),
    (r"\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), (r"\u202a", "U+202A LEFT-TO-RIGHT EMBEDDING"),
    (r"\u2066", "U+2066 LEFT-TO-RIGHT ISOLATE"), (r"\u2069", "U+2069 POP DIRECTIONAL ISOLATE"),
    (r"\u200b", "U+200B ZERO WIDTH SPACE"), (r"\u00ad", "U+00AD SOFT HYPHEN"), (r"\ufeff", "ZERO WIDTH NO-BREAK SPACE"),
    (r"\u2028", "U+2028 LINE SEPARATOR"),
])
def test_a_subject_with_a_hidden_character_is_refused_with_its_name_and_place(make_issue, escape, named):
    [problem] = problems(make_issue, subject=f"Back to{escape} school")
    assert problem.key == "subject" and problem.line == 3
    assert named in problem.message and "at character 8" in problem.message
    assert problem.hint.startswith("remove it")


@pytest.mark.parametrize("text", [
    "سلام\u200cدنیا",                         # Persian needs the zero-width non-joiner
    "👨\u200d👩\u200d👧 Family night",         # emoji sequences need the joiner
    "Noche \u200fمدرسة\u200f",               # direction marks reorder nothing
    "Go \U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F!",   # the flag of England
])
def test_what_some_writing_needs_stays(text):
    assert Text().clean(text) == text


def test_paragraphs_keep_line_breaks_and_tabs_but_not_other_controls(make_issue):
    assert Markdown().clean("One\n\n- a\tb") == "One\n\n- a\tb"
    assert Markdown().clean("zero\u200bwidth") == "zero\u200bwidth"
    for i, (escape, named) in enumerate(((r"\r", "U+000D CARRIAGE RETURN"), (r"\0", "U+0000 NULL"),
                                         (r"\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"))):
        [problem] = problems(make_issue, body=f"Hello{escape} families.", name=f"issue-{i}")
        assert problem.key == "blocks[0].body" and named in problem.message and "at character 6" in problem.message


def test_other_kinds_refuse_controls_too():
    from blocks.kinds import Url
    with pytest.raises(FieldError, match=r"U\+0000 NULL, at character 21"):
        Url().clean("https://example.org/\x00")


@pytest.mark.parametrize("command", ["check", "build"])
def test_check_and_build_say_so_without_a_traceback(make_issue, tmp_path, command):
    folder = make_issue(ISSUE.format(subject=r"Back\vto school", body="Hi"))
    args = [sys.executable, str(ROOT / "compose.py"), command, str(folder)]
    if command == "build":
        args += ["--out", str(tmp_path / "out")]
    result = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "issue.yaml:3: subject: a control character, U+000B LINE TABULATION, at character 5" in result.stderr


def test_a_translation_with_a_control_character_is_refused():
    from blocks.i18n.exchange import check_translation
    from blocks.i18n.units import Unit
    unit = Unit("issue", "issue.subject", "subject", "Back to school", False, "", ("issue.yaml", 3))
    [(message, hint)] = check_translation(unit, "Back to school", "Regreso\r a clases")
    assert "U+000D CARRIAGE RETURN" in message and "at character 8" in message
