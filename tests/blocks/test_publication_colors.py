"""Colours from publication.yaml: templates use them, and `check` refuses every pair of text and
background below 4.5:1, each named by the setting to change, with a shade that passes."""
import re

import pytest

from blocks.loader import load_issue
from blocks.publication import contrast_ratio, palette
from blocks.render import render_issue
from common.errors import NewsletterError
from tests.blocks.test_loader import HEADER

CALLOUT = """\
  - type: callout
    id: note
    heading: Please note
    body: School is closed on Monday. [Calendar](https://example.org/calendar)
    link: {label: See the calendar, url: "https://example.org/calendar"}
"""


def with_colours(make_issue, settings: str):
    folder = make_issue(HEADER + CALLOUT)
    publication = folder.parent / "publication.yaml"
    publication.write_text(publication.read_text() + settings)
    return folder


def problems(folder):
    with pytest.raises(NewsletterError) as caught:
        load_issue(folder)
    return caught.value.problems


def test_defaults_keep_the_brand_colour_and_derive_passing_tints(make_issue):
    issue = load_issue(make_issue(HEADER + CALLOUT))
    colours = issue.publication.colors
    assert issue.publication.brand_color == colours.brand == colours.accent == "#1f4e79"
    for background in ("white", "callout_background", "important_background", "panel_background"):
        for text in ("brand", "text"):
            assert contrast_ratio(colours.get(text), colours.get(background)) >= 4.5
    assert colours.callout_background != "#ffffff"


def test_templates_use_the_publications_colours(make_issue):
    folder = with_colours(make_issue, 'colors:\n  accent: "#0b5d3b"\n  callout_background: "#fff7e0"\n'
                                      '  text: "#222222"\n')
    html = render_issue(load_issue(folder), "en").html
    assert re.search(r'background[^;"]*:\s*#0b5d3b', html)          # the button
    assert "#fff7e0" in html and "#222222" in html
    assert "#eaf2fb" not in html                                     # the old hard-coded tint


def test_every_failing_pair_at_once_each_named_by_its_setting(make_issue):
    folder = with_colours(make_issue, 'colors:\n  accent: "#f4c542"\n  callout_background: "#7a8a99"\n'
                                      '  panel_background: "#e0e0e0"\n')
    found = {p.key: p for p in problems(folder)}
    assert set(found) == {"colors.accent", "colors.callout_background"}, found
    accent = found["colors.accent"]
    assert "colors.button_text #ffffff on colors.accent #f4c542 (button labels)" in accent.message
    assert "below the 4.5:1" in accent.message and accent.line and accent.file.endswith("publication.yaml")
    darker = re.search(r'e\.g\. "(#[0-9a-f]{6})"', accent.hint).group(1)
    assert "darker colors.accent" in accent.hint and contrast_ratio(darker, "#ffffff") >= 4.5
    lighter = re.search(r'e\.g\. "(#[0-9a-f]{6})"', found["colors.callout_background"].hint).group(1)
    assert contrast_ratio("#1f2933", lighter) >= 4.5 and contrast_ratio("#1f4e79", lighter) >= 4.5


def test_one_background_failing_two_texts_is_two_problems(make_issue):
    folder = with_colours(make_issue, 'colors:\n  callout_background: "#3a4a5a"\n')
    messages = [p.message for p in problems(folder) if p.key == "colors.callout_background"]
    assert len(messages) == 2 and "text in callouts" in messages[0] and "links and headings" in messages[1]


def test_a_low_contrast_brand_is_one_problem_not_one_per_derived_colour(make_issue):
    folder = make_issue(HEADER + CALLOUT)
    publication = folder.parent / "publication.yaml"
    publication.write_text(publication.read_text().replace('brand_color: "#1f4e79"', 'colors:\n  brand: "#5aa0e0"'))
    [problem] = problems(folder)
    assert problem.key == "colors.brand" and "links and headings" in problem.message


def test_brand_given_twice_is_refused(make_issue):
    folder = with_colours(make_issue, 'colors:\n  brand: "#0b5d3b"\n')
    assert [p.key for p in problems(folder)] == ["colors.brand"]


def test_palette_of_a_dark_brand_keeps_its_tint_readable():
    from blocks.record import Record
    colours = palette(Record(brand_color="#5c2d91", colors=None))
    assert colours.callout_background != "#ffffff"
    assert contrast_ratio("#5c2d91", colours.callout_background) >= 4.5
