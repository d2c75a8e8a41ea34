"""The small, safe Markdown staff write in: paragraphs, **bold**, *italic*, links, lists.

Raw HTML is never passed through; every link must be http(s), mailto or tel; link text
must make sense on its own ("HERE" does not, for screen-reader users).
"""
from __future__ import annotations

import re
import textwrap
from functools import lru_cache

from markdown_it import MarkdownIt

from blocks.tokens import ANY_TOKEN

VAGUE_LINK_TEXT = {"here", "click here", "click", "this", "link", "this link", "more", "read more",
                   "learn more", "click here to register", "aquí", "haga clic aquí", "clic aquí"}
_RAW_HTML = re.compile(r"<[a-zA-Z/!]")


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"linkify": True, "typographer": False})
    md.enable(["emphasis", "link", "list", "linkify", "escape", "backticks"])
    md.validateLink = lambda url: True  # we check links ourselves, and say why
    return md


@lru_cache(maxsize=4096)
def _tokens(text: str) -> tuple:
    """The parsed text, once for its HTML, its plain text and its checks. Placeholders such as
    __FIRST_NAME__ are escaped first: Markdown would read their underscores as bold."""
    return tuple(_parser().parse(ANY_TOKEN.sub(lambda m: m.group(0).replace("_", "\\_"), text)))


def _inline_tokens(text: str):
    for token in _tokens(text):
        if token.type == "inline":
            yield from token.children or ()


def links(text: str) -> list[tuple[str, str]]:
    """(link text, href) for every link in `text`."""
    found, href, label = [], None, []
    for token in _inline_tokens(text):
        if token.type == "link_open":
            href, label = token.attrs.get("href", ""), []
        elif token.type == "link_close":
            found.append(("".join(label).strip(), href))
            href = None
        elif href is not None and token.type in ("text", "code_inline"):
            label.append(token.content)
    return found


def problems(text: str) -> list[tuple[str, str]]:
    """What is wrong with a Markdown text, as (message, hint) pairs."""
    from blocks.kinds import check_url  # kinds imports this module
    from common.problems import FieldError

    found = []
    if _RAW_HTML.search(text):
        found.append(("raw HTML is not allowed here",
                      "use Markdown: **bold**, *italic*, [link text](https://...), '- ' for bullets"))
    for label, href in links(text):
        try:
            check_url(href)
        except FieldError as e:
            found.append((f"link '{label}': {e.message}", e.hint))
        if label.lower().strip(" .!:") in VAGUE_LINK_TEXT:
            found.append((f"link text '{label}' does not say where it goes",
                          "screen readers list links out of context; describe the destination, "
                          "e.g. [Register for the Kick Off](https://...)"))
    for token in _inline_tokens(text):
        if token.type == "text" and re.search(r"\]\(", token.content):
            found.append(("a link is not closed properly", "write links as [link text](https://...)"))
            break
    return found


@lru_cache(maxsize=4096)
def to_html(text: str) -> str:
    md = _parser()
    return md.renderer.render(list(_tokens(text)), md.options, {}).strip()


@lru_cache(maxsize=4096)
def to_text(text: str, width: int = 72) -> str:
    """Plain text: wrapped paragraphs, '•' bullets, links as 'text (url)'."""
    out: list[str] = []
    bullet_stack: list[str] = []
    numbers: list[int] = []
    for token in _tokens(text):
        if token.type == "bullet_list_open":
            bullet_stack.append("•")
            numbers.append(0)
        elif token.type == "ordered_list_open":
            bullet_stack.append("#")
            numbers.append(0)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            bullet_stack.pop()
            numbers.pop()
            if not bullet_stack:
                out.append("")
        elif token.type == "list_item_open":
            numbers[-1] += 1
        elif token.type == "inline":
            line = _inline_text(token.children or [])
            if bullet_stack:
                depth = len(bullet_stack)
                mark = "•" if bullet_stack[-1] == "•" else f"{numbers[-1]}."
                lead = "  " * depth + mark + " "
                out.append(wrap(line, width, lead, " " * len(lead)))
            else:
                out.append(wrap(line, width))
                out.append("")
    return "\n".join(out).strip("\n")


def wrap(line: str, width: int = 72, initial: str = "", subsequent: str = "") -> str:
    return textwrap.fill(line, width, initial_indent=initial, subsequent_indent=subsequent,
                         break_long_words=False, break_on_hyphens=False) or initial.rstrip()


def _inline_text(children) -> str:
    parts, href, label = [], None, []
    for token in children:
        if token.type == "link_open":
            href, label = token.attrs.get("href", ""), []
        elif token.type == "link_close":
            parts.append(link_text("".join(label), href))
            href = None
        elif token.type in ("text", "code_inline"):
            (label if href is not None else parts).append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            (label if href is not None else parts).append(" ")
    return "".join(parts)


def link_text(label: str, href: str) -> str:
    """A link as plain text: 'label (url)', or just the url when they say the same."""
    bare = re.sub(r"^(mailto:|tel:|https?://)", "", href).rstrip("/")
    if href.startswith("tel:") and re.sub(r"\D", "", label)[-10:] == re.sub(r"\D", "", href)[-10:]:
        return label
    if label.strip().rstrip("/") in (href, bare) or not label.strip():
        return href if href.startswith("http") else bare
    return f"{label} ({href})"
