"""An edition's email, made fit for a browser: the same content, nothing of any one family.

The footer's paragraph of per-family links (preferences, unsubscribe) is left out; the greeting
is the neutral one ("Dear family,"); "View this email in your browser" is hidden by the page's
style (the page is that view). What stays is the email's own <style> (its responsive rules) and
its body, which the preference center's page template (family_web/templates/edition.html)
places under the page's own header and language switcher.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from blocks import tokens
from blocks.i18n.chrome import greeting

_FAMILY_LINKS = re.compile(r"<p\b(?:(?!</p>).)*?__(?:PREFERENCES|UNSUBSCRIBE)_URL__(?:(?!</p>).)*</p>", re.S)
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_STYLES = re.compile(r"<style\b[^>]*>.*?</style>", re.S)
_HEAD = re.compile(r"<head\b[^>]*>(.*?)</head>", re.S)
_BODY = re.compile(r"<body\b([^>]*)>(.*)</body>", re.S)
_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')
# Elements of the email that have no place on its web page (hidden with the page's own style).
EMAIL_ONLY_CSS = ".chrome-top { display: none !important; }"


@dataclass(frozen=True)
class WebPage:
    styles: str          # the email's <style> elements
    body_style: str      # the email's <body style="...">
    body: str            # the email's body, with no per-family value left


def for_browser(html: str, lang: str, library=None) -> WebPage:
    """`html` (an edition as sent, tokens in place) as the parts of a web page (the greeting with
    the district's reviewed strings of `library`)."""
    html = _FAMILY_LINKS.sub("", html)
    html = tokens.fill(html, {
        tokens.GREETING: greeting(lang, None, library),
        tokens.FIRST_NAME: "",
        tokens.WEB_URL: ".",
        tokens.PREFERENCES_URL: "../",          # none should be left; if one is, it leads to the archive
        tokens.UNSUBSCRIBE_URL: "../",
    })
    head = _HEAD.search(html)
    body = _BODY.search(html)
    styles = "\n".join(_STYLES.findall(_COMMENTS.sub("", head.group(1)))) if head else ""
    if body is None:
        return WebPage(styles, "", html)
    style = _STYLE_ATTRIBUTE.search(body.group(1))
    return WebPage(styles, style.group(1) if style else "", body.group(2))
