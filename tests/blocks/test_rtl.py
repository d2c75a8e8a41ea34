"""Right-to-left fix-ups (blocks/rtl.py): each on a small snippet, then the sample Arabic edition."""
import re
from pathlib import Path

import pytest

from blocks import rtl
from blocks.i18n.localize import localize
from blocks.render import render_issue


@pytest.mark.parametrize("lang, expected", [
    ("ar", "rtl"), ("he", "rtl"), ("fa", "rtl"), ("ur", "rtl"),
    ("en", "ltr"), ("es", "ltr"), ("pt_BR", "ltr"), ("zh_Hans", "ltr"),
])
def test_direction_follows_the_language(lang, expected):
    assert rtl.direction(lang) == expected


def test_links_in_right_to_left_text_take_their_own_direction():
    html = '<p>راجع <a href="https://www.whps.org">whps.org</a> أو <a href="tel:988">988</a></p>'
    # dir="auto" for clients that keep it; the first-strong isolate FSI ... PDI (text) for those that do not
    assert rtl.isolate_links(html, rtl=True) == ('<p>راجع <a dir="auto" href="https://www.whps.org">\u2068whps.org'
                                                 '\u2069</a> أو <a dir="auto" href="tel:988">\u2068988\u2069</a></p>')


def test_links_in_left_to_right_text_are_left_alone():
    html = '<p>See <a href="https://www.whps.org">whps.org</a></p>'
    assert rtl.isolate_links(html, rtl=False) == html


SECTIONS = ('<head><style>.x{direction:ltr}</style></head>'
            '<div class="chrome-top" style="direction:ltr">top</div>'
            '<div class="block-intro" style="direction:ltr">مرحبا</div>'
            '<div class="block-contact lang-en" style="direction:ltr">Hello</div>'
            '<div class="chrome-footer" style="direction:ltr">foot</div>')


def test_sections_of_a_right_to_left_email_turn_right_to_left_except_english_fallbacks():
    # dir attributes on every section (Gmail drops <html dir>), not only the CSS direction
    assert rtl.set_directions(SECTIONS, "rtl") == (
        '<head><style>.x{direction:ltr}</style></head>'                  # before the first section: untouched
        '<div class="chrome-top" dir="rtl" style="direction:rtl">top</div>'
        '<div class="block-intro" dir="rtl" style="direction:rtl">مرحبا</div>'
        '<div class="block-contact lang-en" lang="en" dir="ltr" style="direction:ltr">Hello</div>'
        '<div class="chrome-footer" dir="rtl" style="direction:rtl">foot</div>')


def test_cells_paragraphs_headings_and_lists_carry_their_direction():
    html = ('<div class="block-text" style="direction:ltr"><table><tr><td style="x"><h2 id="a">عنوان</h2>'
            '<p>نص</p><ul><li>بند</li></ul></td></tr></table></div>'
            '<div class="block-text lang-en"><table><tr><td><p dir="ltr">Text</p></td></tr></table></div>')
    assert rtl.set_directions(html, "rtl") == (
        '<div class="block-text" dir="rtl" style="direction:rtl"><table><tr><td dir="rtl" style="x">'
        '<h2 dir="rtl" id="a">عنوان</h2><p dir="rtl">نص</p><ul dir="rtl"><li dir="rtl">بند</li></ul></td></tr></table>'
        '</div><div class="block-text lang-en" lang="en" dir="ltr"><table><tr><td dir="ltr"><p dir="ltr">Text</p>'
        '</td></tr></table></div>')


def test_left_to_right_email_keeps_its_directions_and_marks_fallbacks():
    assert rtl.set_directions(SECTIONS, "ltr") == SECTIONS.replace(
        '<div class="block-contact lang-en"', '<div class="block-contact lang-en" lang="en" dir="ltr"')


def test_right_to_left_fallback_inside_a_left_to_right_email():
    html = '<div class="block-text lang-ar" style="direction:ltr">مرحبا</div>'
    assert rtl.set_directions(html, "ltr") == \
        '<div class="block-text lang-ar" lang="ar" dir="rtl" style="direction:rtl">مرحبا</div>'


def test_fallback_language_codes_become_html_language_tags():
    html = '<div class="block-text lang-pt_BR" style="direction:ltr">Olá</div>'
    assert rtl.set_directions(html, "rtl") == \
        '<div class="block-text lang-pt_BR" lang="pt-BR" dir="ltr" style="direction:ltr">Olá</div>'


def test_latin_runs_with_spaces_or_brackets_are_isolated_in_the_body_only():
    html = ('<html><head><title>Office of Equity</title></head><body dir="rtl">\n'
            '<p>مكتب (Office of Equity Advancement) هنا</p>'
            '<p>WHPS <a href="https://example.org/a b" title="see more">see more</a></p></body></html>')
    assert rtl.isolate_latin_runs(html) == (
        '<html><head><title>Office of Equity</title></head><body dir="rtl">\n'   # head untouched
        '<p>مكتب <span dir="ltr" style="white-space: nowrap;">\u2066(Office of Equity Advancement)\u2069</span> هنا</p>'
        '<p>WHPS <a href="https://example.org/a b" title="see more"><span dir="ltr" style="white-space: nowrap;">'
        '\u2066see more\u2069</span></a></p></body></html>')                       # not attributes


def test_long_latin_runs_may_wrap():
    run = "a much longer English sentence that goes on and on"
    assert rtl.isolate_latin_runs(f"<body><p>هنا {run}</p></body>") == \
        f'<body><p>هنا <span dir="ltr">\u2066{run}\u2069</span></p></body>'


def test_latin_runs_already_isolated_or_in_english_sections_are_left_alone():
    html = ('<body><div class="block-text"><p>اتصل <span dir="ltr">\u2066(860) 263-0724 West\u2069</span></p></div>'
            '<div class="block-text lang-en"><p>Office of Equity (WHPS)</p></div></body>')
    assert rtl.isolate_latin_runs(html) == html


def test_plain_text_of_right_to_left_emails_isolates_numbers_addresses_and_latin_runs():
    text = "اتصل: (860) 263-0724 أو https://www.whps.org/x. مكتب (Office of Equity) هنا\nCall: (860) 263-0724"
    assert rtl.isolate_text(text) == (
        "اتصل: \u2066(860) 263-0724\u2069 أو \u2066https://www.whps.org/x \u2069. مكتب \u2068(Office of Equity)\u2069 هنا\n"
        "Call: \u2066(860) 263-0724\u2069")


def test_a_link_in_plain_text_ends_at_a_space_so_mail_programs_do_not_take_the_isolate_into_it():
    text = rtl.isolate_text("راجع https://www.whps.org/equity أو equity@whps.org")
    assert "https://www.whps.org/equity \u2069" in text and "equity@whps.org \u2069" in text
    assert re.findall(r"https?://\S+", text) == ["https://www.whps.org/equity"]


def test_single_latin_words_and_arabic_text_are_left_alone():
    html = '<body><p>اتصل بـ WHPS على 988</p></body>'
    assert rtl.isolate_latin_runs(html) == html


@pytest.fixture(scope="module")
def arabic(sample_issue):
    return render_issue(localize(sample_issue, "ar"), "ar").html


def test_sample_arabic_edition_is_right_to_left_section_by_section(arabic):
    assert re.search(r'<html[^>]*\bdir="rtl"', arabic)
    sections = re.split(r'(?=<div class="(?:block-|chrome-))', arabic)[1:]
    assert len(sections) > 5
    for section in sections:
        opening = section[:section.index(">") + 1]
        if " lang-en" in opening:              # a block not yet translated: shown in English, left to right
            assert 'lang="en" dir="ltr"' in opening and "direction:rtl" not in section, opening
        else:
            assert "direction:rtl" in section and "direction:ltr" not in section, opening
    assert any(" lang-en" not in s[:s.index(">")] for s in sections if s.startswith('<div class="block-'))


def test_a_block_aligns_by_its_own_direction_an_english_button_in_an_arabic_edition_is_left_aligned():
    from blocks.loader import load_issue
    issue = load_issue(Path(__file__).parents[1] / "fixtures" / "newsletters" / "every-block")
    english_in_arabic = render_issue(localize(issue, "ar"), "ar").html
    sections = re.split(r'(?=<div class="(?:block-|chrome-))', english_in_arabic)
    picnic = next(s for s in sections if "example.org/picnic" in s)          # the registration button
    assert picnic.startswith('<div class="block-event lang-en"')
    assert 'align="right"' not in picnic and "text-align: right" not in picnic
    assert not re.search(r"direction: ?rtl", picnic)
    assert re.search(r'align="left"[^>]*>\s*<table[^>]*>\s*<tbody>\s*<tr>\s*<td[^>]*bgcolor', picnic)
    # the edition's own (Arabic) chrome stays right-aligned
    masthead = next(s for s in sections if s.startswith('<div class="chrome-masthead"'))
    assert "text-align: right" in masthead or "direction:rtl" in masthead
