"""Each language's email, rendered again only where it changed.

A language's email is remembered with what it was made from: a fingerprint of the localized
issue without its blocks, subject and preheader (issue fields, publication, the templates' and
chrome catalog's modification times, the drafts option, the blocks' ids and types in order),
one of the subject and preheader, and one per block (its content without line numbers, and the
language it is shown in: a stale translation falls back to English).

- Nothing changed: the email is reused (a save without a change, or another language's PO).
- Only some blocks' content, the subject or the preheader changed: each changed block is
  rendered alone, as a one-block issue through blocks.render.render_issue under the whole
  issue's note at the top (which lists the sections still in English), and its section replaces
  the old one (sections.py; every section is self-contained in mjml-python's output); the head
  (subject, preheader) and the chrome sections (the note) come from that render too (from one of
  the first block alone if no block changed). The text part is left behind: see settle().
- Anything else (a block added, moved or removed, another issue field, a template): a full render.

settle() then renders a quick email in full, as a send would, and compares: the text part
catches up, and if the HTML ever differed (a template that makes one block depend on
another) the full render is what the page shows and quick renders stop for this run.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from blocks.render import RenderedEmail, render_issue
from blocks.rtl import direction
from preview.sections import Cut, cut, head_shape

QUICK_AT_MOST = 4          # more changed blocks than this: a full render is as quick


@dataclass(frozen=True)
class Edition:
    localized: object          # the localized Issue it was made from
    frame_key: str
    head_key: str
    block_keys: tuple[str, ...]
    email: RenderedEmail       # tokens in place (what a send would use); text behind when not settled
    raw: Cut                   # email.html in sections
    shown: Cut                 # with placeholders for the tokens
    text: str                  # the text part with placeholders
    settled: bool              # made by render_issue in full (not spliced)


def _key(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _keys(localized, made_with: tuple) -> tuple[str, str, tuple[str, ...]]:
    blocks = [dataclasses.replace(block, line=None, key="", source="") for block in localized.blocks]
    inbox = ("subject", "preheader")      # the head only: the templates ask `english` about other parts
    frame = _key((dataclasses.replace(localized, blocks=(), subject="", preheader="", english_parts=tuple(
        part for part in localized.english_parts if part not in inbox)), made_with,
        [(block.id, block.template) for block in blocks]))
    head = _key((localized.subject, localized.preheader, [p for p in localized.english_parts if p in inbox]))
    return frame, head, tuple(_key(block) for block in blocks)


class Renderer:
    def __init__(self):
        self.editions: dict[str, Edition] = {}
        self.quick_ok = True
        self.differed: list[str] = []        # languages where a quick render differed from a full one

    def render(self, localized, lang: str, made_with: tuple) -> tuple[Edition, str]:
        """The language's email and how it was made: "same", "quick" or "full"."""
        keys = _keys(localized, made_with)
        old = self.editions.get(lang)
        if old and (old.frame_key, old.head_key, old.block_keys) == keys:
            return old, "same"
        edition = None
        if self.quick_ok and old and old.frame_key == keys[0]:
            changed = [i for i, key in enumerate(keys[2]) if key != old.block_keys[i]]
            if len(changed) <= QUICK_AT_MOST:
                edition = self._quick(old, localized, lang, changed, keys)
        how = "quick" if edition else "full"
        edition = edition or _full(localized, lang, keys)
        self.editions[lang] = edition
        return edition, how

    @property
    def settling(self) -> bool:
        """Some language was rendered quickly and not yet in full."""
        return any(not edition.settled for edition in self.editions.values())

    def settle(self, lang: str) -> bool | None:
        """Render a quick edition in full: None if there was none, else whether anything shown changed
        (the text part, at least)."""
        quick = self.editions.get(lang)
        if quick is None or quick.settled:
            return None
        full = _full(quick.localized, lang, (quick.frame_key, quick.head_key, quick.block_keys))
        if full.shown != quick.shown or full.email.html != quick.email.html:
            self.quick_ok = False
            self.differed.append(lang)
        self.editions[lang] = full
        return full.text != quick.text or full.shown != quick.shown

    def _quick(self, old: Edition, localized, lang: str, changed: list[int], keys) -> Edition | None:
        at, blocks = [i for i, kind in enumerate(old.raw.kinds) if kind == "block"], localized.blocks
        if not at or at != list(range(at[0], at[0] + len(blocks))):
            return None                      # the block sections are not one run, one per block
        # rtl.set_directions gives a section's Outlook wrapper the direction of the section before
        # it: where blocks differ in direction, a block is rendered between its neighbours.
        near = 1 if _mixed(localized, lang) or _mixed(old.localized, lang) else 0
        raw, shown, files = list(old.raw.sections), list(old.shown.sections), dict(old.email.files)
        frame, after = None, (old.raw.sections[at[-1] + 1:], old.shown.sections[at[-1] + 1:])
        for i in changed or [0]:
            lo, hi = max(0, i - near), min(len(blocks), i + 1 + near)
            alone = render_issue(dataclasses.replace(localized, blocks=blocks[lo:hi]), lang, notice_blocks=blocks)
            one_raw, one_shown = cut(alone.html), cut(alone.preview().html)
            mine = [k for k, kind in enumerate(one_raw.kinds) if kind == "block"]
            if len(mine) != hi - lo or not _same_head(one_raw.head, old.raw.head, keys[1] != old.head_key):
                return None                  # the block changes more than its own section
            around = (one_raw.head, one_raw.sections[:mine[0]], one_shown.head, one_shown.sections[:mine[0]])
            if frame and frame != around:
                return None
            frame = around
            for j in [i, i + 1][:hi - i] if i in changed else []:
                raw[at[j]] = _same_spacing(one_raw.sections[mine[j - lo]], raw[at[j]])
                shown[at[j]] = _same_spacing(one_shown.sections[mine[j - lo]], shown[at[j]])
            if hi == len(blocks):            # the chrome after the last block follows it
                after = (one_raw.sections[mine[-1] + 1:], one_shown.sections[mine[-1] + 1:])
            files.update(alone.files)
        head, before, shown_head, shown_before = frame
        raw = _joined(head, before, raw[at[0]:at[-1] + 1], after[0], old.raw, at)
        shown = _joined(shown_head, shown_before, shown[at[0]:at[-1] + 1], after[1], old.shown, at)
        email = dataclasses.replace(old.email, subject=localized.subject, preheader=localized.preheader,
                                    html=raw.head + "".join(raw.sections), files=files)
        return Edition(localized, *keys, email, raw, shown, old.text, settled=False)


def _mixed(localized, lang: str) -> bool:
    """Some block is shown in a language written in the other direction."""
    return any(direction(block.lang) != direction(lang) for block in localized.blocks if block.lang)


def _same_head(new: str, old: str, inbox_changed: bool) -> bool:
    """The one-block email's head may stand for the whole email's: the same, or only the subject
    and preheader differ (when they changed)."""
    return new == old or (inbox_changed and head_shape(new) == head_shape(old))


def _joined(head: str, before, blocks, after, old: Cut, at: list[int]) -> Cut:
    """Chrome sections, then the block sections, then chrome, each followed by the white space that
    followed the section in its place before (the source's layout between sections)."""
    old_before, old_after = old.sections[:at[0]], old.sections[at[-1] + 1:]
    if len(before) == len(old_before):
        before = [_same_spacing(new, was) for new, was in zip(before, old_before)]
    if len(after) == len(old_after):
        after = [_same_spacing(new, was) for new, was in zip(after, old_after)]
    kinds = ("chrome",) * len(before) + ("block",) * len(blocks) + ("chrome",) * len(after)
    return Cut(head, (*before, *blocks, *after), kinds)


def _same_spacing(new: str, old: str) -> str:
    """`new` followed by the white space that followed `old` (the source's layout between sections)."""
    return new.rstrip() + old[len(old.rstrip()):]


def _full(localized, lang: str, keys: tuple) -> Edition:
    email = render_issue(localized, lang)
    shown = email.preview()
    return Edition(localized, *keys, email, cut(email.html), cut(shown.html), shown.text, True)
