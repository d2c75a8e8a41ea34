"""Text colour against its background in an inlined email (WCAG 2: 4.5:1, 3:1 for large text).

After css-inline every colour is in a style attribute, so following the elements down and
inheriting colour, background, size and weight is enough: no style sheets to apply. The HTML
is our own renderer's (well-formed, quoted attributes), so a regular expression walks its tags
and text: five times quicker than html.parser, which the live preview felt on every save.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

from blocks.publication import contrast_ratio

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NAMED = {"white": "#ffffff", "black": "#000000"}
_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_PX = re.compile(r"([\d.]+)px")
_TOKEN = re.compile(r"<!--.*?-->|<!.*?>|<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>|([^<]+)", re.S)
_ATTR = re.compile(r"""([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?""")


def _colour(value: str) -> str | None:
    value = value.strip().lower()
    if value in NAMED:
        return NAMED[value]
    found = _HEX.search(value)
    if not found:
        return None
    code = found.group(0).lower()
    return code if len(code) == 7 else "#" + "".join(c * 2 for c in code[1:])


def _declarations(style: str) -> dict[str, str]:
    found = {}
    for part in style.split(";"):
        name, sep, value = part.partition(":")
        if sep:
            found[name.strip().lower()] = value.strip()
    return found


_ratio = lru_cache(maxsize=1024)(contrast_ratio)


@lru_cache(maxsize=4096)
def _own(tag: str, attrs: str) -> tuple:
    """What an element sets itself: colour, background, size (None: inherited), bold, hidden."""
    values = {}
    for name, double, single, bare in _ATTR.findall(attrs):
        values.setdefault(name.lower(), html.unescape(double or single or bare))
    style = _declarations(values.get("style") or "")
    background = _colour(style.get("background-color", "") or style.get("background", "")) \
        or _colour(values.get("bgcolor") or "")
    pixels = _PX.match(style.get("font-size", ""))
    weight = style.get("font-weight", "")
    bold = tag in ("strong", "b", "h1", "h2", "h3") or weight == "bold" or (weight.isdigit() and int(weight) >= 700)
    hidden = style.get("display", "") == "none" or style.get("opacity", "") == "0"
    return _colour(style.get("color", "")), background, float(pixels.group(1)) if pixels else None, bold, hidden


class _Walker:
    def __init__(self):
        # (tag, colour, background, size in px, bold, hidden)
        self.stack = [("", "#000000", "#ffffff", 16.0, False, False)]
        self.found: dict[tuple[str, str, bool], str] = {}

    def feed(self, text: str) -> None:
        for found in _TOKEN.finditer(text):
            closing, tag, attrs, data = found.groups()
            if data is not None:
                self.handle_data(html.unescape(data))
            elif tag and closing:
                self.handle_endtag(tag.lower())
            elif tag:
                self.handle_starttag(tag.lower(), attrs)

    def handle_starttag(self, tag, attrs: str):
        _, colour, background, size, bold, hidden = self.stack[-1]
        own_colour, own_background, own_size, own_bold, own_hidden = _own(tag, attrs)
        if tag not in VOID:
            self.stack.append((tag, own_colour or colour, own_background or background, own_size or size,
                               bold or own_bold, hidden or own_hidden))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        text = " ".join(data.split())
        _, colour, background, size, bold, hidden = self.stack[-1]
        if not text or hidden:
            return
        large = size >= 24 or (bold and size >= 18.66)
        key = (colour, background, large)
        if key not in self.found and _ratio(colour, background) < (3.0 if large else 4.5):
            self.found[key] = text[:40]


def low_contrast(markup: str) -> list[tuple[str, str]]:
    """(message, hint) for each colour pair of text that is too faint, with a sample of its text."""
    walker = _Walker()
    walker.feed(markup)
    return [(f"text in {colour} on {background} has contrast {contrast_ratio(colour, background):.1f}:1, "
             f"below {'3' if large else '4.5'}:1 (e.g. '{sample}')",
             "people with low vision may not read it: choose a darker text colour or a lighter background "
             "(brand_color in publication.yaml)")
            for (colour, background, large), sample in walker.found.items()]
