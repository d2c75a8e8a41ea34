"""Each language's email, rendered again only where it changed.

A language's email is remembered with what it was made from: a fingerprint of the localized
issue without its blocks (issue fields, publication, the templates' and chrome catalog's
modification times, the drafts option) and one per block (its content without line numbers).

- Nothing changed: the email is reused (a save without a change, or another language's PO).
- Only some blocks' content changed (same blocks, same order, same types): each is rendered
  alone, as a one-block issue through blocks.render.render_issue, and its section replaces
  the old one (sections.py; every section is self-contained in mjml-python's output). The
  text part is left behind: see settle().
- Anything else (a block added, moved or removed, an issue field, a template): a full render.

settle() then renders a quick email in full, as a send would, and compares: the text part
catches up, and if the HTML ever differed (a template that makes one block depend on
another) the full render is what the page shows and quick renders stop for this run.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from blocks.render import RenderedEmail, render_issue
from preview.sections import Cut, cut

QUICK_AT_MOST = 4          # more changed blocks than this: a full render is as quick


@dataclass(frozen=True)
class Edition:
    localized: object          # the localized Issue it was made from
    frame_key: str
    block_keys: tuple[str, ...]
    email: RenderedEmail       # tokens in place (what a send would use); text behind when not settled
    raw: Cut                   # email.html in sections
    shown: Cut                 # with placeholders for the tokens
    text: str                  # the text part with placeholders
    settled: bool              # made by render_issue in full (not spliced)


def _key(value) -> str:
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def _keys(localized, made_with: tuple) -> tuple[str, tuple[str, ...]]:
    blocks = [dataclasses.replace(block, line=None, key="", source="") for block in localized.blocks]
    frame = _key((dataclasses.replace(localized, blocks=()), made_with,
                  [(block.id, block.template, block.lang) for block in blocks]))
    return frame, tuple(_key(block) for block in blocks)


class Renderer:
    def __init__(self):
        self.editions: dict[str, Edition] = {}
        self.quick_ok = True
        self.differed: list[str] = []        # languages where a quick render differed from a full one

    def render(self, localized, lang: str, made_with: tuple) -> tuple[Edition, str]:
        """The language's email and how it was made: "same", "quick" or "full"."""
        frame_key, block_keys = _keys(localized, made_with)
        old = self.editions.get(lang)
        if old and old.frame_key == frame_key and old.block_keys == block_keys:
            return old, "same"
        changed = [i for i, key in enumerate(block_keys) if old and old.frame_key == frame_key
                   and key != old.block_keys[i]]
        edition = None
        if self.quick_ok and changed and len(changed) <= QUICK_AT_MOST:
            edition = self._quick(old, localized, lang, changed, frame_key, block_keys)
        how = "quick" if edition else "full"
        edition = edition or _full(localized, lang, frame_key, block_keys)
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
        full = _full(quick.localized, lang, quick.frame_key, quick.block_keys)
        if full.shown != quick.shown or full.email.html != quick.email.html:
            self.quick_ok = False
            self.differed.append(lang)
        self.editions[lang] = full
        return full.text != quick.text or full.shown != quick.shown

    def _quick(self, old: Edition, localized, lang: str, changed: list[int], frame_key, block_keys) -> Edition | None:
        raw, shown, files = list(old.raw.sections), list(old.shown.sections), dict(old.email.files)
        at = [i for i, kind in enumerate(old.raw.kinds) if kind == "block"]
        chrome = [s.rstrip() for s, kind in zip(old.raw.sections, old.raw.kinds) if kind == "chrome"]
        for i in changed:
            alone = render_issue(dataclasses.replace(localized, blocks=(localized.blocks[i],)), lang)
            one_raw, one_shown = cut(alone.html), cut(alone.preview().html)
            mine = [s.rstrip() for s, kind in zip(one_raw.sections, one_raw.kinds) if kind == "chrome"]
            if one_raw.head != old.raw.head or mine != chrome or one_raw.blocks != 1 or len(at) != len(block_keys):
                return None                  # the block changes more than its own section
            where = one_raw.kinds.index("block")
            raw[at[i]] = _same_spacing(one_raw.sections[where], raw[at[i]])
            shown[at[i]] = _same_spacing(one_shown.sections[where], shown[at[i]])
            files.update(alone.files)
        email = dataclasses.replace(old.email, html=old.raw.head + "".join(raw), files=files)
        return Edition(localized, frame_key, block_keys, email, Cut(old.raw.head, tuple(raw), old.raw.kinds),
                       Cut(old.shown.head, tuple(shown), old.shown.kinds), old.text, settled=False)


def _same_spacing(new: str, old: str) -> str:
    """`new` followed by the white space that followed `old` (the source's layout between sections)."""
    return new.rstrip() + old[len(old.rstrip()):]


def _full(localized, lang: str, frame_key: str, block_keys: tuple[str, ...]) -> Edition:
    email = render_issue(localized, lang)
    shown = email.preview()
    return Edition(localized, frame_key, block_keys, email, cut(email.html), cut(shown.html), shown.text, True)
