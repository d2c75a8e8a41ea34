"""What a provider is sent, and how its answer becomes Markdown again.

A text goes out as XML (the provider's `tag_handling="xml"`): paragraphs <p>, bullets
<ul><li>, **bold** <b>, *italic* <i>, links <a href="...">. What must not change - bare URLs,
placeholders (__FIRST_NAME__, %(name)s) and the glossary's names to keep - is wrapped in
<x>, the ignored tag (`ignore_tags=["x"]`). The answer is parsed back; anything that does
not parse, or that loses a link or a placeholder, is refused by the same checks as a PO
import (blocks/i18n/exchange.py) and the entry stays missing.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from blocks import markdown, tokens

IGNORED = "x"
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


class MarkupError(ValueError):
    """The provider's answer is not the XML we sent it, translated."""


def to_xml(text: str, is_markdown: bool, keep: tuple[str, ...] = ()) -> str:
    """`text` as XML-tagged text for the provider."""
    protect = _protector(keep)
    if not is_markdown:
        return protect(text)
    out, stack = [], []
    for token in markdown._tokens(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            out.append("<ul>" if token.type.startswith("bullet") else "<ol>")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            out.append("</ul>" if token.type.startswith("bullet") else "</ol>")
        elif token.type == "list_item_open":
            out.append("<li>")
            stack.append("li")
        elif token.type == "list_item_close":
            out.append("</li>")
            stack.pop()
        elif token.type == "paragraph_open" and not stack:
            out.append("<p>")
        elif token.type == "paragraph_close" and not stack:
            out.append("</p>")
        elif token.type == "inline":
            out.append(_inline_xml(token.children or [], protect))
    return "".join(out)


def _inline_xml(children, protect) -> str:
    out = []
    for i, token in enumerate(children):
        kind = token.type
        if kind == "link_open" and token.markup == "linkify":
            out.append(f"<{IGNORED}>")
        elif kind == "link_close" and token.markup == "linkify":
            out.append(f"</{IGNORED}>")
        elif kind == "link_open":
            out.append(f"<a href={quoteattr(token.attrs.get('href', ''))}>")
        elif kind == "link_close":
            out.append("</a>")
        elif kind in ("strong_open", "strong_close", "em_open", "em_close"):
            out.append(("</" if kind.endswith("close") else "<") + ("b>" if kind.startswith("strong") else "i>"))
        elif kind == "text":
            token = token.copy(content=token.content.replace("\n", " "))
            inside_linkify = i > 0 and children[i - 1].type == "link_open" and children[i - 1].markup == "linkify"
            out.append(escape(token.content) if inside_linkify else protect(token.content))
        elif kind == "code_inline":
            out.append(f"<{IGNORED}>{escape('`' + token.content + '`')}</{IGNORED}>")
        elif kind in ("softbreak", "hardbreak"):
            out.append(" ")
    return "".join(out)


def _protector(keep: tuple[str, ...]):
    names = sorted(keep, key=len, reverse=True)
    parts = [tokens.ANY_TOKEN.pattern, _PLACEHOLDER.pattern, r"https?://[^\s<>]+"]
    parts += [r"(?<!\w)" + re.escape(name) + r"(?!\w)" for name in names]
    pattern = re.compile("|".join(f"(?:{p})" for p in parts))

    def protect(text: str) -> str:
        pieces, last = [], 0
        for found in pattern.finditer(text):
            pieces += [escape(text[last:found.start()]), f"<{IGNORED}>{escape(found.group(0))}</{IGNORED}>"]
            last = found.end()
        return "".join(pieces) + escape(text[last:])
    return protect


def from_xml(answer: str, is_markdown: bool) -> str:
    """The provider's answer as the Markdown (or plain text) a PO entry holds."""
    try:
        root = ET.fromstring(f"<t>{answer}</t>")
    except ET.ParseError as e:
        raise MarkupError(f"the answer is not well-formed XML ({e})") from None
    if not is_markdown:
        return _squash(_inline(root, plain=True))
    blocks = []
    lead = _squash(root.text or "")
    if lead:
        blocks.append(lead)
    for child in root:
        if child.tag == "p":
            blocks.append(_squash(_inline(child)))
        elif child.tag in ("ul", "ol"):
            items = [item for item in child if item.tag == "li"]
            mark = (lambda n: "- ") if child.tag == "ul" else (lambda n: f"{n}. ")
            blocks.append("\n".join(mark(n) + _squash(_inline(item)) for n, item in enumerate(items, 1)))
        else:
            raise MarkupError(f"unexpected <{child.tag}> at the top of the answer")
        tail = _squash(child.tail or "")
        if tail:
            blocks.append(tail)
    return "\n\n".join(b for b in blocks if b)


def _inline(element, plain: bool = False) -> str:
    out = [element.text or ""]
    for child in element:
        inner = _inline(child, plain)
        if child.tag == IGNORED:
            out.append("".join(child.itertext()))
        elif plain:
            out.append(inner)
        elif child.tag in ("b", "i"):
            out.append(_wrap(inner, "**" if child.tag == "b" else "*"))
        elif child.tag == "a":
            out.append(f"[{inner.strip()}]({child.get('href', '')})")
        else:
            raise MarkupError(f"unexpected <{child.tag}> inside a paragraph")
        out.append(child.tail or "")
    return "".join(out)


def _wrap(inner: str, mark: str) -> str:
    """Emphasis with any spaces the provider put inside it moved outside (** x** is not bold)."""
    stripped = inner.strip()
    if not stripped:
        return inner
    return inner[:len(inner) - len(inner.lstrip())] + mark + stripped + mark + inner[len(inner.rstrip()):]


def _squash(text: str) -> str:
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def billable(xml_text: str) -> int:
    """Characters a provider bills for one text: those outside the markup (tags are free)."""
    try:
        return len("".join(ET.fromstring(f"<t>{xml_text}</t>").itertext()))
    except ET.ParseError:
        return len(xml_text)
