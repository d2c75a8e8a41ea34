"""What families get: a complete, accessible email in HTML and plain text."""
import re
from pathlib import Path

import pytest
from icalendar import Calendar

from blocks import tokens
from blocks.loader import load_issue
from blocks.registry import BLOCK_TYPES
from blocks.render import KNOWN_MJML_TAGS, RenderError, _check_mjml, render_issue

FIXTURE = Path(__file__).parents[1] / "fixtures" / "newsletters" / "every-block"


@pytest.fixture(scope="module")
def every():
    issue = load_issue(FIXTURE)
    return issue, render_issue(issue, "en")


def test_fixture_uses_every_block_type(every):
    issue, _ = every
    assert {b.type for b in issue.blocks} == set(BLOCK_TYPES)


def test_every_block_renders_in_html_and_text(every):
    issue, email = every
    for block in issue.blocks:
        if block.fields.get("heading"):
            assert f'id="{block.id}"' in email.html  # headings are link targets
    for words in ["Hello", "A section", "Family picnic", "Town Hall", "School counselor", "October menu",
                  "Library cards", "The Bridge", "Please note", "Deadline tomorrow", "Ana Pérez"]:
        assert words in email.html and words in email.text


def test_html_document_basics(sample_en):
    html = sample_en.html
    assert re.search(r'<html[^>]*lang="en"', html)
    assert re.search(r'<html[^>]*dir="ltr"', html)
    assert "<title>Welcome back! Equity events" in html
    assert "One Community for Equity Kick Off on Sept 29" in html  # preheader, hidden at the top
    assert "fonts.googleapis" not in html                         # no tracking font requests
    assert "<style" in html and "@media" in html                   # responsive rules survive inlining
    assert 'style="' in re.search(r"<h2[^>]*>", html).group(0)       # CSS inlined onto elements


def test_every_image_has_alt_text(sample_en):
    for img in re.findall(r"<img[^>]*>", sample_en.html):
        assert re.search(r'\balt="', img), img


def test_headings_are_in_order(sample_en):
    levels = [int(n) for n in re.findall(r"<h([1-6])\b", sample_en.html)]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), levels


def test_no_template_leftovers_or_unknown_tags(sample_en, every):
    for email in (sample_en, every[1]):
        for output in (email.html, email.text):
            assert "{{" not in output and "{%" not in output
            assert "Undefined" not in output and "None" not in output
        assert not re.search(r"<mj-", email.html)


def test_unknown_mjml_tags_are_caught():
    with pytest.raises(RenderError, match="mj-txt"):
        _check_mjml("<mjml><mj-body><mj-txt>Hi</mj-txt></mj-body></mjml>")
    assert "mj-text" in KNOWN_MJML_TAGS


def test_html_stays_under_gmail_clipping(sample_en):
    assert len(sample_en.html.encode()) < 90 * 1024


def test_per_recipient_tokens_survive_rendering_and_previews_fill_them(sample_en):
    for token in (tokens.UNSUBSCRIBE_URL, tokens.PREFERENCES_URL):
        assert f'href="{token}"' in sample_en.html and token in sample_en.text
    preview = sample_en.preview()
    assert not tokens.PATTERN.search(preview.html) and not tokens.PATTERN.search(preview.text)
    assert "#preview-unsubscribe-link" in preview.html


def test_greeting_is_a_token_the_mailer_fills_per_family(every):
    assert f">{tokens.GREETING}</p>" in every[1].html
    assert "Dear [First name]," in every[1].preview().html


def test_event_date_line_and_calendar_offer(sample_en):
    assert "Wednesday, September 29, 2021, 6:00\u2009\u2013\u20097:30\u202fPM" in sample_en.html
    assert 'href="__WEB_URL__/kickoff-en.ics"' in sample_en.html
    assert "https://calendar.google.com/calendar/render?action=TEMPLATE" in sample_en.html
    assert "dates=20210929T220000Z%2F20210929T233000Z" in sample_en.html


def test_event_in_another_time_zone_says_so(every):
    assert "CDT" in every[1].text


def test_ics_file_is_valid_and_in_utc(sample_en):
    cal = Calendar.from_ical(sample_en.files["kickoff-en.ics"])
    [event] = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "One Community for Equity Virtual Kick Off"
    assert event.decoded("DTSTART").isoformat() == "2021-09-29T22:00:00+00:00"
    assert event.decoded("DTEND").isoformat() == "2021-09-29T23:30:00+00:00"


def test_foodshare_recurring_entries_expand_and_skip_exceptions(sample_en):
    cal = Calendar.from_ical(sample_en.files["foodshare-october-en.ics"])
    starts = sorted(e.decoded("DTSTART").date().isoformat() for e in cal.walk("VEVENT"))
    tuesdays = ["2021-10-05", "2021-10-12", "2021-10-19", "2021-10-26"]
    thursdays = ["2021-10-07", "2021-10-21", "2021-10-28"]  # 2021-10-14 is an exception
    assert starts == sorted(tuesdays + thursdays + ["2021-10-23"])
    assert len({e["UID"] for e in cal.walk("VEVENT")}) == len(starts)


def test_foodshare_list_is_grouped_by_week_in_date_order(every):
    text = every[1].text
    assert text.index("Week of September 26, 2021") < text.index("Friday, October 1, 2021")
    assert text.index("Sunday, October 3, 2021") < text.index("Friday, October 8, 2021")


def test_phone_numbers_are_tel_links(sample_en, every):
    assert 'href="tel:+18602630724"' in sample_en.html
    assert 'href="tel:988"' in sample_en.html
    assert 'href="tel:+18605550100"' in every[1].html


def test_crisis_line_is_pinned_first(every):
    text = every[1].text
    assert text.index("988 Suicide & Crisis Lifeline") < text.index("School counselor")


def test_deadlines_are_listed_in_date_order(every):
    text = every[1].text
    assert text.index("First deadline") < text.index("Second deadline")


def test_plain_text_links_read_as_text_then_url(sample_en):
    assert "Register for the Kick Off: https://www.whps.org/equitypolicy" in sample_en.text
    assert "English Info Sessions (https://www.irs.gov/" in sample_en.text
    assert "Unsubscribe: __UNSUBSCRIBE_URL__" in sample_en.text


@pytest.mark.parametrize("fact", [
    "Welcome Back!", "Happy New School Year 2021-2022", "whps.org/equitypolicy",
    "withstand the test of uncertain times", "informed, involved and engaged",
    "Information on Foodshare programs and calendars", "and much, much more",
    "One Community for Equity Virtual Kick Off", "Wednesday, September 29, 2021",
    "Registration is required for security reasons", "join link will be emailed",
    "2021 Advance Child Tax Credit Payments", "English Info Sessions", "Spanish Info Sessions",
    "Keeping Our Focus on Mental Health and Wellness", "September 7", "Recorded Webinar and Resources",
    "Community Resources and Guides for Parents/Caregivers", "Please bookmark this site",
    "Covid Vaccine Information for West Hartford Residents", "mobile vaccine services",
    "https://portal.ct.gov/DOH/DOH/Programs/UniteCT", "ctfairhousing.org", "Greg Kirschner", "(860) 263-0724",
    "Community of Concern", "CPCWH", "SEPTO", "The Bridge", "Social Services",
    "A district, family and community partnership in action", "Learn more about One Community for Equity",
])
def test_every_fact_of_the_seed_issue_is_present(sample_en, fact):
    assert fact in " ".join(sample_en.text.split())
    html = " ".join(sample_en.html.split())
    assert fact.replace("&", "&amp;") in html or fact in html


@pytest.mark.parametrize("lang, direction", [("es", "ltr"), ("ar", "rtl")])
def test_the_greeting_is_in_the_editions_language_never_inside_a_block_shown_in_english(lang, direction):
    from blocks.i18n.localize import localize
    issue = load_issue(FIXTURE)
    email = render_issue(localize(issue, lang), lang)         # no translation: the intro is shown in English
    sections = re.split(r'(?=<div class="(?:block-|chrome-))', email.html)
    holding = [s for s in sections if tokens.GREETING in s]
    assert len(holding) == 1
    opening = holding[0][:holding[0].index(">") + 1]
    assert "lang-en" not in opening and 'lang="en"' not in opening, opening
    assert f'<p dir="{direction}"' in holding[0] or direction == "ltr"
    intro = next(s for s in sections if s.startswith('<div class="block-intro'))
    assert tokens.GREETING not in intro and "Hello" in intro
    # the text part: the greeting before the English section, not between its heading and body
    text = email.text
    assert text.index(tokens.GREETING) < text.index("Hello\n-----")
    # translated, it stays inside the block, after the heading
    english = render_issue(issue, "en")
    intro = next(s for s in re.split(r'(?=<div class="(?:block-|chrome-))', english.html)
                 if s.startswith('<div class="block-intro'))
    assert f">{tokens.GREETING}</p>" in intro
    assert english.text.index("Hello\n-----") < english.text.index(tokens.GREETING)
