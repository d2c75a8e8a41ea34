"""Render an issue in one language: Jinja → MJML → HTML (mjml-python) → inlined CSS →
right-to-left fix-ups (rtl.py), plus text.

Rendering happens once per language; per-recipient values stay as tokens (see tokens.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import css_inline
import jinja2
import mjml
from babel import Locale
from markupsafe import Markup

from blocks import markdown, rtl, tokens
from blocks.calendar import to_ics
from blocks.context import RenderContext
from blocks.i18n import chrome
from blocks.model import Issue
from blocks.registry import BLOCK_TYPES

TEMPLATES = Path(__file__).parent / "templates"
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

    def preview(self) -> "RenderedEmail":
        """The same email with tokens replaced by visible placeholders."""
        values = tokens.PREVIEW | {tokens.GREETING: chrome.greeting(self.lang, tokens.PREVIEW[tokens.FIRST_NAME])}
        return RenderedEmail(self.lang, self.direction, self.subject, self.preheader,
                             tokens.fill(self.html, values), tokens.fill(self.text, values), self.files)


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every language's environment: compile once per process."""

    def __init__(self):
        self._store: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()


_BYTECODE = _SharedBytecode()


@lru_cache(maxsize=None)
def _environment(kind: str, lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        bytecode_cache=_BYTECODE,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        autoescape=kind == "mjml",
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(chrome.translations(lang), newstyle=True)
    is_rtl = rtl.direction(lang) == "rtl"
    env.filters["md"] = (lambda text: Markup(rtl.isolate_links(markdown.to_html(text), is_rtl))) \
        if kind == "mjml" else markdown.to_text
    env.filters["wrap"] = markdown.wrap
    env.filters["link_text"] = markdown.link_text
    env.filters["underline"] = lambda text, char="-": f"{text}\n{char * len(text)}"
    env.globals["tokens"] = tokens
    return env


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def render_issue(issue: Issue, lang: str, web_url: str = tokens.WEB_URL, calendar_files: bool = True) -> RenderedEmail:
    """The email in `lang` (give a localized issue); `calendar_files=False` skips making the
    .ics files (a send links to the published ones)."""
    locale = Locale.parse(lang)
    gettext = chrome.translations(lang).gettext
    ctx = RenderContext(issue=issue, lang=lang, locale=locale, gettext=gettext, web_url=web_url)
    files: dict[str, bytes] = {}
    blocks = []
    for block in issue.blocks:
        module = _MODULES[block.template]
        extra = dict(module.prepare(block, ctx)) if hasattr(module, "prepare") else {}
        entries = module.calendar_entries(block, ctx) if hasattr(module, "calendar_entries") else []
        extra["calendar_url"] = None
        if entries:
            name = ctx.calendar_file(block.id)
            if calendar_files:
                calendar_name = block.fields.get("heading") or block.fields.get("title") or issue.title
                files[name] = to_ics(entries, calendar_name, lang, issue.publication.name)
            extra["calendar_url"] = f"{web_url}/{name}"
        block_dir = rtl.direction(block.lang) if block.lang else ctx.direction
        blocks.append({"block": block, "fields": block.fields, "x": extra,
                       "align": "right" if block_dir == "rtl" else "left"})
    variables = {"issue": issue, "pub": issue.publication, "lang": lang, "dir": ctx.direction,
                 "align": "right" if ctx.direction == "rtl" else "left", "blocks": blocks, "web_url": web_url}
    source = _environment("mjml", lang).get_template("layout.mjml.j2").render(variables)
    _check_mjml(source)
    html = rtl.set_directions(_inliner().inline(mjml.mjml2html(source, disable_comments=True, fonts={})),
                              ctx.direction)
    if ctx.direction == "rtl":
        html = rtl.isolate_latin_runs(html)
    text_env = _environment("txt", lang)
    not_yet = f"[{gettext('This section is not yet available in your language.')}]\n\n"
    variables["block_texts"] = [
        (not_yet if item["block"].lang else "") + _squeeze(
            text_env.get_template(f"{item['block'].template}.txt.j2").render(
                variables | {"f": item["fields"], "x": item["x"], "block": item["block"]}))
        for item in blocks]
    text = _squeeze(text_env.get_template("layout.txt.j2").render(variables)) + "\n"
    for output in (html, text):
        _check_output(output)
    return RenderedEmail(lang, ctx.direction, issue.subject, issue.preheader, html, text, files)


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
    """Forget the compiled chrome catalogs and the template environments they are installed in,
    so the next render reads blocks/i18n/chrome/*.po again (for the long-running preview)."""
    chrome.translations.cache_clear()
    _environment.cache_clear()
