"""The Jinja environments the renderer uses: one per output kind (mjml, txt) and language,
with that language's chrome catalog, Markdown filters and right-to-left isolation."""
from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

import css_inline
import jinja2
from babel import Locale
from markupsafe import Markup

from blocks import dates, markdown, rtl, tokens
from blocks.i18n import chrome

TEMPLATES = Path(__file__).parent / "templates"
_ENGLISH_BLOCK = re.compile(r"<(p|ul|ol|li)>")      # Markdown's block tags, for text still in English
# English text in another language's email: the dir attribute, and the same in CSS for clients that drop it
ENGLISH_ATTRIBUTES = 'lang="en" dir="ltr" style="direction: ltr; text-align: left;"'


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates shared by every language's environment (compile once per process),
    and kept on disk by Jinja's FileSystemBytecodeCache, so a new process (a command, each
    of N send workers) loads them instead of compiling the templates again (~0.2 s).

    Jinja checks each file against the template's source; the file names also carry this
    module's own fingerprint, as the environment's options here shape the compiled code. No
    usable temp directory: memory only."""

    def __init__(self):
        self._store: dict[str, bytes] = {}
        fingerprint = hashlib.sha1(Path(__file__).read_bytes() + jinja2.__version__.encode()).hexdigest()[:12]
        try:
            self._disk: jinja2.FileSystemBytecodeCache | None = jinja2.FileSystemBytecodeCache(
                pattern=f"newsletter-{fingerprint}-%s.cache")
        except (OSError, RuntimeError):           # no safe per-user temp directory
            self._disk = None

    def load_bytecode(self, bucket) -> None:
        if bucket.key not in self._store and self._disk is not None:
            try:
                self._disk.load_bytecode(bucket)
            except (OSError, EOFError, ValueError):  # a damaged file: compile instead
                bucket.reset()
            if bucket.code is not None:
                self._store[bucket.key] = bucket.bytecode_to_string()
                return
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()
        if self._disk is not None:
            try:
                self._disk.dump_bytecode(bucket)
            except OSError:                         # read-only or full: memory only
                self._disk = None


_BYTECODE = _SharedBytecode()


def environment(kind: str, lang: str, library: Path | None = None) -> jinja2.Environment:
    """Templates for `kind` ("mjml" or "txt") in `lang`: its chrome strings (as their catalogs are
    now, with the district's reviewed ones of `library`: chrome.translations), its direction."""
    return _environment(kind, lang, chrome.translations(lang, library))


@lru_cache(maxsize=128)
def _environment(kind: str, lang: str, catalog) -> jinja2.Environment:
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
    env.install_gettext_translations(catalog, newstyle=True)
    is_rtl = rtl.direction(lang) == "rtl"
    html = kind == "mjml"
    env.filters["md"] = (lambda text: Markup(rtl.isolate_links(markdown.to_html(text), is_rtl))) \
        if html else markdown.to_text
    env.filters["ltr"] = lambda text: rtl.ltr(text, is_rtl, html)         # phones, addresses, e-mails, URLs
    env.filters["isolate"] = lambda text: rtl.isolate(text, is_rtl, html)  # names, in their own direction
    env.filters["english"] = lambda html: Markup(_ENGLISH_BLOCK.sub(rf'<\1 {ENGLISH_ATTRIBUTES}>', str(html)))
    env.filters["wrap"] = markdown.wrap
    env.filters["link_text"] = markdown.link_text
    env.filters["underline"] = lambda text, char="-": f"{text}\n{char * len(text)}"
    env.globals["tokens"] = tokens
    env.globals["comma"] = dates.comma(Locale.parse(lang))
    env.globals["tag"] = lang.replace("_", "-")
    return env


@lru_cache(maxsize=1)
def inliner() -> css_inline.CSSInliner:
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
