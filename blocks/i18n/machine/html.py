"""The XML of blocks/i18n/machine/markup.py as HTML, for providers that take HTML (Google's
`format=html`; LibreTranslate's too), and their HTML answer as that XML again.

What must not change (<x>: URLs, placeholders, names kept) goes as <span translate="no">, the
marking HTML translation services honour; <p>, <ul>, <ol>, <li>, <b>, <i> and <a href> are HTML
already. An answer is HTML, not XML: character references (&#39;), named entities (&nbsp;), an
added style="direction:rtl" on a paragraph for a right-to-left language... so it is parsed as
HTML and written back as the XML markup.from_xml reads. Anything unexpected is kept, for
from_xml to refuse (the entry then stays missing, reported).
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from xml.sax.saxutils import escape, quoteattr

from blocks.i18n.machine.markup import IGNORED

KEPT = '<span translate="no">'
_OPEN, _CLOSE = re.compile(rf"<{IGNORED}>"), re.compile(rf"</{IGNORED}>")
VOID = {"br", "hr", "img", "wbr"}


def to_html(xml_text: str) -> str:
    """What markup.to_xml made, as HTML (our XML never nests <x> in a <span>)."""
    return _CLOSE.sub("</span>", _OPEN.sub(KEPT, xml_text))


def to_xml(html_text: str) -> str:
    """A provider's HTML answer as the XML markup.from_xml reads."""
    parser = _ToXml()
    parser.feed(html_text)
    parser.close()
    return "".join(parser.out)


class _ToXml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "span" and (attrs.get("translate") == "no" or "notranslate" in (attrs.get("class") or "")):
            name = IGNORED
        else:
            name = tag
        if tag in VOID:
            self.out.append(f"<{name}/>")
            return
        self.stack.append(name)
        href = f" href={quoteattr(attrs.get('href') or '')}" if tag == "a" else ""
        self.out.append(f"<{name}{href}>")

    def handle_startendtag(self, tag, attrs):
        self.out.append(f"<{tag}/>")

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if tag == "span" and IGNORED in self.stack:       # the innermost open span
            tag = next(name for name in reversed(self.stack) if name in ("span", IGNORED))
        if tag in self.stack:
            while self.stack:                             # close what the answer left open inside it
                name = self.stack.pop()
                self.out.append(f"</{name}>")
                if name == tag:
                    break

    def handle_data(self, data):
        self.out.append(escape(data))

    def close(self):
        super().close()
        while self.stack:
            self.out.append(f"</{self.stack.pop()}>")
