"""Characters no text in an issue, publication or audiences file may hold, and their names.

They do nothing visible, or change how the rest of the text is shown, and mail programs and
headers handle them differently: a vertical tab or NUL in a subject crashed `build`, a lone CR
was accepted by `check` and broke `send`, DEL went raw into the Subject header, and the bidi
overrides make a text read differently from what it says ("Trojan Source"). They arrive in
pasted text or as YAML escapes ("\\v"). Refused (kinds.as_text and kinds.Text call this; PO
translations are checked too, in i18n/exchange.py):

- in every text: control characters (Unicode category Cc) except line feed and tab (Markdown's
  paragraphs and lists), and the bidi embeddings, overrides and isolates U+202A-202E and
  U+2066-2069 (the email sets each language's direction itself, see rtl.py);
- in one-line texts (subject, preheader, titles, names, labels) also tab, the line and
  paragraph separators U+2028/2029 (Python's splitlines and some mail programs break lines
  there) and the other format characters (Cf: zero-width space, soft hyphen, BOM, word
  joiner...), except those some writing needs: the zero-width non-joiner and joiner U+200C/200D
  (Persian, Indic scripts, emoji sequences), the direction marks LRM, RLM and ALM
  U+200E/200F/061C (they set the direction of a neighbour, as a letter would, and reorder
  nothing), and the tag characters U+E0020-E007F (the emoji flags of England, Scotland, Wales).
"""
from __future__ import annotations

import unicodedata

from common.problems import FieldError

_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FORMAT_ALLOWED = frozenset("\u200c\u200d\u200e\u200f\u061c")
_C0_NAMES = ("NULL,START OF HEADING,START OF TEXT,END OF TEXT,END OF TRANSMISSION,ENQUIRY,ACKNOWLEDGE,BELL,"
             "BACKSPACE,CHARACTER TABULATION,LINE FEED,LINE TABULATION,FORM FEED,CARRIAGE RETURN,SHIFT OUT,"
             "SHIFT IN,DATA LINK ESCAPE,DEVICE CONTROL ONE,DEVICE CONTROL TWO,DEVICE CONTROL THREE,"
             "DEVICE CONTROL FOUR,NEGATIVE ACKNOWLEDGE,SYNCHRONOUS IDLE,END OF TRANSMISSION BLOCK,CANCEL,"
             "END OF MEDIUM,SUBSTITUTE,ESCAPE,FILE SEPARATOR,GROUP SEPARATOR,RECORD SEPARATOR,UNIT SEPARATOR"
             ).split(",")


def character_name(char: str) -> str:
    """U+000B LINE TABULATION: the code point and its name (controls have none in Unicode's
    database, only aliases; theirs are given here)."""
    code = ord(char)
    name = unicodedata.name(char, "")
    if not name:
        name = (_C0_NAMES[code] if code < 0x20 else "DELETE" if code == 0x7F else "NEXT LINE" if code == 0x85
                else "(a control character)")
    return f"U+{code:04X} {name}"


def invisible_characters(text: str, one_line: bool) -> list[tuple[str, str]]:
    """(message, hint) for the first character of `text` that no text may hold (see above)."""
    for position, char in enumerate(text, 1):
        category = unicodedata.category(char)
        if char in _BIDI_CONTROLS:
            return [(f"a hidden direction control, {character_name(char)}, at character {position}",
                     "remove it: it makes the rest of the text show in another order than it is written "
                     "(the email sets each language's direction itself)")]
        if category == "Cc" and (one_line or char not in "\n\t"):
            return [(f"a control character, {character_name(char)}, at character {position}",
                     "remove it (it is invisible, often comes with pasted text, and breaks the email); "
                     "retype the text around it" + ("; write a line break as a new paragraph" if one_line else ""))]
        if one_line and (category in ("Zl", "Zp") or
                         (category == "Cf" and char not in _FORMAT_ALLOWED and not "\U000e0020" <= char <= "\U000e007f")):
            return [(f"an invisible character, {character_name(char)}, at character {position}",
                     "remove it: in a one-line text it shows differently (or breaks the line) in some mail "
                     "programs; retype the text around it")]
    return []


def refuse_invisible(text: str, one_line: bool) -> None:
    """FieldError for the first invisible character `text` may not hold."""
    for message, hint in invisible_characters(text, one_line):
        raise FieldError(message, hint)
