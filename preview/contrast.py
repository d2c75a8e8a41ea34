"""Text colour against its background in an inlined email (WCAG 2: 4.5:1, 3:1 for large text).

After css-inline every colour is in a style attribute, so following the elements down and
inheriting colour, background, size and weight is enough: no style sheets to apply.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

from blocks.publication import contrast_ratio

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
NAMED = {"white": "#ffffff", "black": "#000000"}
_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")
_PX = re.compile(r"([\d.]+)px")


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


class _Walker(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        # (tag, colour, background, size in px, bold, hidden)
        self.stack = [("", "#000000", "#ffffff", 16.0, False, False)]
        self.found: dict[tuple[str, str, bool], str] = {}

    def handle_starttag(self, tag, attrs):
        _, colour, background, size, bold, hidden = self.stack[-1]
        values = dict(attrs)
        style = _declarations(values.get("style") or "")
        colour = _colour(style.get("color", "")) or colour
        background = _colour(style.get("background-color", "") or style.get("background", "")) \
            or _colour(values.get("bgcolor") or "") or background
        pixels = _PX.match(style.get("font-size", ""))
        size = float(pixels.group(1)) if pixels else size
        weight = style.get("font-weight", "")
        bold = bold or tag in ("strong", "b", "h1", "h2", "h3") or weight == "bold" or \
            (weight.isdigit() and int(weight) >= 700)
        hidden = hidden or style.get("display", "") == "none" or style.get("opacity", "") == "0"
        if tag not in VOID:
            self.stack.append((tag, colour, background, size, bold, hidden))

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
        if key not in self.found and contrast_ratio(colour, background) < (3.0 if large else 4.5):
            self.found[key] = text[:40]


def low_contrast(html: str) -> list[tuple[str, str]]:
    """(message, hint) for each colour pair of text that is too faint, with a sample of its text."""
    walker = _Walker()
    walker.feed(html)
    walker.close()
    return [(f"text in {colour} on {background} has contrast {contrast_ratio(colour, background):.1f}:1, "
             f"below {'3' if large else '4.5'}:1 (e.g. '{sample}')",
             "people with low vision may not read it: choose a darker text colour or a lighter background "
             "(brand_color in publication.yaml)")
            for (colour, background, large), sample in walker.found.items()]
