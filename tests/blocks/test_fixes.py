"""Fixes found while making every edition readable (issue #14): each one as it was reported."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlsplit

import polib
import pytest

from blocks import markdown
from blocks.calendar import CalendarEntry, google_calendar_link, shorten
from blocks.i18n import chrome
from blocks.i18n.localize import localize
from blocks.loader import load_issue
from blocks.render import render_issue
from common.errors import NewsletterError
from tests.conftest import SAMPLE
from tests.blocks.test_i18n import ISSUE, SPANISH, translate


def details(link: str) -> str:
    return parse_qs(urlsplit(link).query)["details"][0]


def test_google_calendar_link_keeps_the_registration_address_and_whole_words():
    start = dt.datetime(2021, 9, 29, 18, tzinfo=dt.timezone.utc)       # was "Register: h"; now only a long one is cut
    body = "Registration is required for security reasons. " * 60 + "\n\nRegister: https://www.whps.org/equitypolicy"
    text = details(google_calendar_link(CalendarEntry("u", "Event", start, start + dt.timedelta(hours=1),
                                                      description=body)))
    assert text.endswith("…\n\nRegister: https://www.whps.org/equitypolicy")
    cut = text.split("…")[0]
    assert body.startswith(cut) and body[len(cut)] in " ."                      # at a word boundary


def test_shorten_never_cuts_a_word_or_a_link():
    start = dt.datetime(2021, 9, 29, 18, tzinfo=dt.timezone.utc)
    body = "word " * 1000 + "\n\nRegister: https://example.org/very/long/registration/path"
    link = google_calendar_link(CalendarEntry("u", "Event", start, start + dt.timedelta(hours=1), description=body))
    text = details(link)
    assert text.endswith("Register: https://example.org/very/long/registration/path")
    assert re.fullmatch(r"(word )*word…\n\nRegister: \S+", text)
    assert shorten("short", 300) == "short"
    assert shorten("word " * 100, 300).endswith("word…") and len(shorten("word " * 100, 300)) <= 300


@pytest.fixture
def issue_dir(make_issue):
    return make_issue(ISSUE)


@pytest.mark.parametrize("broken", ["Visite *el sitio** [del distrito](https://www.whps.org).",
                                    "Visite **el sitio* [del distrito](https://www.whps.org).",
                                    "Visite [del distrito](https://www.whps.org) *."])
def test_unbalanced_markdown_is_refused_on_import(issue_dir, broken):
    with pytest.raises(NewsletterError) as caught:
        translate(load_issue(issue_dir), "es", SPANISH | {"welcome.body": broken})
    assert any("emphasis" in p.message and p.key == "welcome.body" for p in caught.value.problems)
    assert not (issue_dir / "i18n" / "es.po").exists()


def test_balanced_markdown_still_imports(issue_dir):
    assert markdown.to_text("*a* and **b**") == "a and b"
    report = translate(load_issue(issue_dir), "es", SPANISH | {
        "welcome.body": "Visite *el* **sitio** [del distrito](https://www.whps.org)."})
    assert report.approved == len(SPANISH)


def test_spanish_footer_needs_no_article_before_the_offices_name():
    spanish = chrome.translations("es").gettext
    sentence = spanish("You are receiving this email because you subscribed to news from %(name)s.")
    assert "noticias de %(name)s" not in sentence
    assert sentence % {"name": "Oficina para el Avance de la Equidad"} == \
        "Recibe este correo porque se suscribió a este boletín: Oficina para el Avance de la Equidad."


def test_arabic_foodshare_dates_use_the_arabic_comma(make_issue):
    folder = make_issue(ISSUE.split("blocks:")[0] + """blocks:
  - type: foodshare_calendar
    id: food
    heading: Food
    month: 2021-10
    distributions:
      - {date: 2021-10-05, start: "10:00", end: "12:00", site: Elmwood Community Center}
""")
    translate(load_issue(folder), "ar", {"food.heading": "توزيع الطعام"})
    email = render_issue(localize(load_issue(folder), "ar"), "ar")
    day = re.search(r"<strong>(الثلاثاء[^<]*)</strong>([^<]*)<span", email.html)
    assert day and day.group(2) == "، "                              # not ", "
    assert "2021, " not in email.text and "2021، " in email.text


def test_arabic_masthead_has_no_capitals_spacing_or_split_name(sample_issue):
    html = render_issue(localize(sample_issue, "ar"), "ar").html
    masthead = html[html.index('class="chrome-masthead'):html.index("</h1>")]
    assert "letter-spacing" not in masthead and "uppercase" not in masthead
    assert re.search(r'<br><span style="font-weight: normal;?"><span dir="auto">\u2068West Hartford Public Schools',
                     masthead)
    assert 'style="white-space: nowrap;">\u2066(Office of Equity Advancement)\u2069' in masthead


def test_machine_edition_catalog_header_marks_stub_output():
    header = polib.pofile(str(SAMPLE / "i18n" / "vi.po")).header
    assert "test stub" in header and "not real Vietnamese" in header
