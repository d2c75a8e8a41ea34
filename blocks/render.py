"""Render an issue in one language: Jinja → MJML → HTML (mjml-python) → inlined CSS →
right-to-left fix-ups (rtl.py), plus text.

Rendering happens once per language; per-recipient values stay as tokens (see tokens.py).
A block not translated into the language (a fallback) is rendered whole in English - its
labels, dates and calendar offer too - so it reads as one English unit; one note at the top
lists such sections in the reader's language, and a banner says when the email holds
machine translations. The family's greeting is always in the edition's language: an intro
shown in English has it before it, in a section of its own, never inside.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from dataclasses import dataclass, field

import mjml
from babel import Locale
from markupsafe import Markup

from blocks import rtl, tokens
from blocks.calendar import to_ics
from blocks.context import RenderContext
from blocks.i18n import chrome
from blocks.kinds import IMAGE_WIDTH
from blocks.model import Block, Issue
from blocks.registry import BLOCK_TYPES
from blocks.render_env import environment, inliner

_MODULES = {module.NAME: module for module in BLOCK_TYPES.values()}

# The MJML tags our templates may use; mjml-python passes unknown mj-* tags through as raw HTML.
KNOWN_MJML_TAGS = frozenset("""mjml mj-head mj-body mj-title mj-preview mj-attributes mj-all mj-class mj-style
mj-font mj-breakpoint mj-section mj-column mj-group mj-wrapper mj-text mj-button mj-image mj-divider mj-spacer
mj-table mj-raw mj-social mj-social-element mj-navbar mj-navbar-link mj-hero""".split())
_MJ_TAG = re.compile(r"</?(mj[a-z-]*)\b")
_LEFTOVER_JINJA = re.compile(r"\{\{|\{%|\{#")


class RenderError(RuntimeError):
    """The templates produced something broken: a bug in a template, not a user mistake."""


@dataclass(frozen=True)
class RenderedEmail:
    lang: str
    direction: str
    subject: str
    preheader: str
    html: str                    # tokens such as __UNSUBSCRIBE_URL__ still in place
    text: str
    files: dict[str, bytes] = field(default_factory=dict)   # calendar files, by name
    library: Path | None = field(default=None, compare=False)   # whose reviewed chrome strings (the greeting)

    def preview(self) -> "RenderedEmail":
        """The same email with tokens replaced by visible placeholders."""
        values = tokens.PREVIEW | {tokens.GREETING: chrome.greeting(self.lang, tokens.PREVIEW[tokens.FIRST_NAME],
                                                                    self.library)}
        return RenderedEmail(self.lang, self.direction, self.subject, self.preheader,
                             tokens.fill(self.html, values), tokens.fill(self.text, values), self.files, self.library)


def _image(block: Block, ctx: RenderContext) -> dict | None:
    """A block's picture as the email shows it: published beside the issue, at most the content's
    width, its height kept in proportion."""
    image = block.fields.get("image")
    if not image:
        return None
    width = min(image.width or IMAGE_WIDTH, IMAGE_WIDTH)
    height = round(image.height * width / image.width) if image.width and image.height else None
    return {"src": f"{ctx.web_url}/{image.file}", "alt": image.alt, "width": width, "height": height}


def render_issue(issue: Issue, lang: str, web_url: str = tokens.WEB_URL, calendar_files: bool = True,
                 notice_blocks: tuple[Block, ...] | None = None, stamp: dt.datetime | None = None) -> RenderedEmail:
    """The email in `lang` (give a localized issue); `calendar_files=False` skips making the
    .ics files (a send links to the published ones). `notice_blocks`: the blocks the note at the
    top speaks of, if not the issue's (the preview renders one block alone under the whole note).
    `stamp`: the calendar files' DTSTAMP (Settings.build_time), else now."""
    ctx = _context(issue, lang, web_url)
    files: dict[str, bytes] = {}
    items = [_prepare(block, issue, ctx, files if calendar_files else None, stamp)
             for block in issue.blocks]
    variables = {"issue": issue, "pub": issue.publication, "lang": lang, "dir": ctx.direction,
                 "align": "right" if ctx.direction == "rtl" else "left", "web_url": web_url,
                 "notice": _notice(issue, notice_blocks or [item["block"] for item in items], ctx),
                 "english": set(issue.english_parts)}
    for item in items:
        env = environment("mjml", item["lang"], issue.library)
        item["mjml"] = Markup(env.get_template("_block.mjml.j2").render(variables | item))
    source = environment("mjml", lang, issue.library).get_template("layout.mjml.j2").render(variables | {"blocks": items})
    _check_mjml(source)
    html = rtl.set_directions(inliner().inline(mjml.mjml2html(source, disable_comments=True, fonts={})),
                              ctx.direction)
    variables["block_texts"] = [(tokens.GREETING + "\n\n" if item["greeting_apart"] else "") + _squeeze(
        environment("txt", item["lang"], issue.library).get_template(f"{item['block'].template}.txt.j2").render(variables | item))
        for item in items]
    text = _squeeze(environment("txt", lang, issue.library).get_template("layout.txt.j2").render(variables)) + "\n"
    if ctx.direction == "rtl":
        html, text = rtl.isolate_latin_runs(html), rtl.isolate_text(text)
    for output in (html, text):
        _check_output(output)
    return RenderedEmail(lang, ctx.direction, issue.subject, issue.preheader, html, text, files, issue.library)


def _context(issue: Issue, lang: str, web_url: str) -> RenderContext:
    return RenderContext(issue=issue, lang=lang, locale=Locale.parse(lang), gettext=chrome.translations(lang, issue.library).gettext,
                         web_url=web_url)


def _prepare(block: Block, issue: Issue, ctx: RenderContext, files: dict | None, stamp: dt.datetime | None = None) -> dict:
    """A block's template values, in the email's language or - for a fallback - wholly in English."""
    if block.lang:
        ctx = _context(issue, block.lang, ctx.web_url)
        files = None                         # the English edition makes (and publishes) its calendar files
    module = _MODULES[block.template]
    extra = dict(module.prepare(block, ctx)) if hasattr(module, "prepare") else {}
    entries = module.calendar_entries(block, ctx) if hasattr(module, "calendar_entries") else []
    extra["calendar_url"] = None
    if entries:
        name = ctx.calendar_file(block.id)
        if files is not None:
            calendar_name = block.fields.get("heading") or block.fields.get("title") or issue.title
            files[name] = to_ics(entries, calendar_name, ctx.lang, issue.publication.name, stamp)
        extra["calendar_url"] = f"{ctx.web_url}/{name}"
    # A greeting is the family's, in the edition's language: a block shown in English has it
    # before it, in a section of its own (layout.*.j2), never inside.
    greeting_apart = bool(block.lang and block.fields.get("greeting"))
    extra["image"] = _image(block, ctx)
    image = block.fields.get("image")
    if image and files is not None and (Path(issue.path) / image.file).is_file():
        files[image.file] = (Path(issue.path) / image.file).read_bytes()   # published with the edition
    return {"block": block, "f": block.fields, "fields": block.fields, "x": extra, "lang": ctx.lang,
            "dir": ctx.direction, "align": "right" if ctx.direction == "rtl" else "left",
            "greeting_here": bool(block.fields.get("greeting")) and not greeting_apart,
            "greeting_apart": greeting_apart}


def _notice(issue: Issue, blocks, ctx: RenderContext) -> dict:
    """What the top of the email must say: machine translation (with the original's address),
    and which sections are still in English."""
    fallbacks = [block for block in blocks if block.lang]
    translated = [block for block in blocks if not block.lang]
    machine = issue.machine_text and ctx.lang != issue.source_lang
    whole = machine and all(block.machine for block in translated)
    return {"machine": machine, "whole": whole, "original": f"{ctx.web_url}/{issue.source_lang}.html",
            "english": [section_title(block) for block in fallbacks]}


def section_title(block: Block) -> str:
    """What a section is called, for the list of sections not yet in the reader's language."""
    fields = block.fields
    return fields.get("heading") or fields.get("title") or fields.get("text") or block.id.replace("-", " ").title()


def _squeeze(text: str) -> str:
    """At most one blank line in a row; no trailing spaces."""
    return re.sub(r"\n{3,}", "\n\n", re.sub(r"[ \t]+\n", "\n", text)).strip()


def _check_mjml(source: str) -> None:
    unknown = {tag for tag in _MJ_TAG.findall(source) if tag not in KNOWN_MJML_TAGS}
    if unknown:
        raise RenderError(f"templates use unknown MJML tags: {', '.join(sorted(unknown))}")


def _check_output(output: str) -> None:
    if _LEFTOVER_JINJA.search(output):
        raise RenderError("unrendered template syntax reached the output")
    if tokens.unknown(output):
        raise RenderError(f"unknown tokens in output: {', '.join(sorted(tokens.unknown(output)))}")


def reload_chrome() -> None:
    """Read the chrome catalogs again at the next render, even one whose size and modification
    time look unchanged (for the long-running preview, which saw it change)."""
    chrome.forget()
