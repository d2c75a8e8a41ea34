"""The rendered email cut into its sections, and each block's section labelled.

mjml-python writes every section (the masthead, each block, the footer) as a self-contained
run: an Outlook-only table opened in a conditional comment, the section's div (class
"block-<template>" or "chrome-<part>", from our templates; blocks/rtl.py relies on the same
markup), the comment closing the table. Blocks come in the issue's order (a block shown in English
that greets the family has the greeting in a section of its own before it, "chrome-greeting":
it is cut with that block). So the email is its head plus a list of sections, and:

- a change to one block changes one section per language: the page replaces that section
  in each frame instead of loading the whole email again (static/preview.js);
- the checks (checks.py) run on each section and are cached by its text;
- a change to the subject or preheader changes the head only where they are (the title, the
  hidden preheader, the email's aria-label): the page sets those three in place (head_shape, inbox);
- the n-th block section gets the n-th block's label (id, type, translation status), inside
  its div, so it moves with it. Labels are only in the preview, never in what families get.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markupsafe import escape

_SECTION = re.compile(r'(?=<!--\[if mso \| IE\]>\s*<table[^>]*\bclass="(?:block|chrome)-)')
_DIV = re.compile(r'<div class="(block|chrome)-[^"]*"[^>]*>')
_BLOCK_DIV = re.compile(r'<div class="block-[^"]*"[^>]*>')
LEADS_IN = "chrome-greeting"      # a section that belongs to the block after it (render.py: a greeting moved out)
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_PREHEADER = re.compile(r'(<body[^>]*>\s*<div style="display:none;[^"]*">)(.*?)(</div>)', re.S)
_LABEL = re.compile(r'(<div aria-label=")([^"]*)(")')

STATUS_TEXT = {"approved": "approved", "draft": "draft", "machine": "machine translation", "stale": "stale",
               "missing": "missing", "source": "source text"}
# Links open outside the frame; labels can be hidden (the page's "Block labels" box).
HEAD = """<base target="_blank"><style id="pv-labels">
.pv-label{margin:0 auto;box-sizing:border-box;padding:2px 8px;font:12px/1.5 Arial,sans-serif;text-align:left;
border-left:4px solid #52606d;background:#f5f7fa;color:#1f2933}
.pv-label b{font-weight:bold}.pv-label span{float:right}
.pv-approved{border-color:#2f7d4a}.pv-source{border-color:#1f4e79}.pv-draft{border-color:#a86400;background:#fff7e6}
.pv-machine{border-color:#6b3fa0;background:#f6f0fd}.pv-stale{border-color:#b3261e;background:#fdecea}
.pv-missing{border-color:#52606d;background:#eef1f4}
html.pv-nolabels .pv-label{display:none}
</style>"""


@dataclass(frozen=True)
class BlockLabel:
    id: str
    type: str
    status: str                   # approved, draft, machine, stale, missing, or source (the English itself)
    shown_in: str | None = None   # the language it is shown in when not the email's own

    @property
    def text(self) -> str:
        shown = f", shown in {self.shown_in}" if self.shown_in else ""
        return f"{STATUS_TEXT.get(self.status, self.status)}{shown}"


@dataclass(frozen=True)
class Cut:
    head: str                     # everything before the first section
    sections: tuple[str, ...]     # the last one ends the document
    kinds: tuple[str, ...]        # "block" or "chrome" for each section

    @property
    def blocks(self) -> int:
        return self.kinds.count("block")


def cut(html: str) -> Cut:
    head, *pieces = _SECTION.split(html)
    sections, kinds, lead = [], [], ""
    for section in pieces:
        div = _DIV.search(section)
        if div and div.group(0).startswith(f'<div class="{LEADS_IN}"'):
            lead += section                  # one section with the block it leads into
            continue
        sections.append(lead + section)
        kinds.append(div.group(1) if div else "")
        lead = ""
    if lead:
        sections.append(lead)
        kinds.append("chrome")
    return Cut(head, tuple(sections), tuple(kinds))


def labelled(email: Cut, labels: list[BlockLabel]) -> Cut:
    """The sections for a frame: the head's extra style, and each block's label (none if the blocks
    cannot be matched one to one: then the page says so)."""
    head = email.head.replace("</head>", HEAD + "</head>", 1)
    if email.blocks != len(labels):
        return Cut(head, email.sections, email.kinds)
    found, sections = iter(labels), []
    for section, kind in zip(email.sections, email.kinds):
        if kind == "block":
            item = next(found)
            tag = f'<div class="pv-label pv-{escape(item.status)}" lang="en" dir="ltr" data-block="{escape(item.id)}">' \
                  f'<b>{escape(item.id)}</b> · {escape(item.type)}<span>{escape(item.text)}</span></div>'
            div = _BLOCK_DIV.search(section) or _DIV.search(section)
            section = section[:div.end()] + tag + section[div.end():]
        sections.append(section)
    return Cut(head, tuple(sections), email.kinds)


def head_shape(head: str) -> str:
    """The head without the subject and preheader (the title, the hidden preheader, the aria-label)."""
    head = _TITLE.sub("<title></title>", head, count=1)
    return _LABEL.sub(r"\1\3", _PREHEADER.sub(r"\1\3", head, count=1), count=1)


def inbox(head: str) -> dict[str, str]:
    """What head_shape leaves out: the title and aria-label as text, the preheader as HTML."""
    title, preheader, label = _TITLE.search(head), _PREHEADER.search(head), _LABEL.search(head)
    return {"title": html.unescape(title.group(1)) if title else "",
            "preheader": preheader.group(2) if preheader else "",
            "label": html.unescape(label.group(2)) if label else ""}
