"""Mistakes staff make in issue files: each is reported with file, line, key and a fix."""
import pytest

from common.errors import NewsletterError
from blocks.loader import load_issue

HEADER = """\
title: Test issue
period: October 2021
subject: Test subject
preheader: Test preheader
languages: [en]
blocks:
"""


def problems_for(make_issue, blocks_yaml: str, header: str = HEADER):
    folder = make_issue(header + blocks_yaml)
    with pytest.raises(NewsletterError) as caught:
        load_issue(folder)
    return caught.value.problems


def only(problems):
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_clean_issue_loads(make_issue):
    folder = make_issue(HEADER + "  - type: text\n    id: hello\n    body: Hello families.\n")
    issue = load_issue(folder)
    assert [b.id for b in issue.blocks] == ["hello"]


def test_misspelled_block_type_suggests_the_right_one(make_issue):
    p = only(problems_for(make_issue, "  - type: evnt\n    id: kickoff\n    title: Kick off\n"))
    assert p.file.endswith("issue.yaml") and p.key == "blocks[0].type" and p.line == 7
    assert "unknown block type 'evnt'" in p.message and "event" in p.hint


def test_unknown_field_is_an_error_not_silently_dropped(make_issue):
    p = only(problems_for(make_issue, "  - type: text\n    id: a\n    body: Hi\n    bdoy: typo\n"))
    assert p.key == "blocks[0].bdoy" and p.line == 10 and "did you mean 'body'" in p.hint


def test_bad_date_is_reported_with_the_expected_format(make_issue):
    p = only(problems_for(make_issue, "  - type: event\n    id: e\n    title: T\n    start: 2021-09-31T18:00\n"))
    assert p.key == "blocks[0].start" and p.line == 10
    assert "not a valid date and time" in p.message and "YYYY-MM-DDTHH:MM" in p.hint


def test_twelve_hour_time_is_rejected_not_guessed(make_issue):
    p = only(problems_for(make_issue, "  - type: event\n    id: e\n    title: T\n    start: 2021-09-29 6pm\n"))
    assert p.key == "blocks[0].start"


def test_event_ending_before_it_starts(make_issue):
    p = only(problems_for(make_issue, "  - type: event\n    id: e\n    title: T\n"
                          "    start: 2021-09-29T18:00\n    end: 2021-09-29T17:00\n"))
    assert p.key == "blocks[0].end" and "before it starts" in p.message


def test_missing_required_field(make_issue):
    p = only(problems_for(make_issue, "  - type: callout\n    id: c\n    heading: Note\n"))
    assert p.key == "blocks[0].body" and "'body' is required" in p.message


@pytest.mark.parametrize("url", ["javascript:alert(1)", "www.whps.org", "ftp://x.org/a", "https://has space.org"])
def test_links_must_be_http_mailto_or_tel(make_issue, url):
    p = only(problems_for(make_issue, f"  - type: callout\n    id: c\n    heading: H\n    body: Hi\n"
                          f"    link: {{label: Go to the site, url: '{url}'}}\n"))
    assert p.key == "blocks[0].link.url"


def test_links_inside_markdown_are_checked_too(make_issue):
    p = only(problems_for(make_issue, "  - type: text\n    id: t\n    body: See [the policy](javascript:x)\n"))
    assert p.key == "blocks[0].body" and "not an http(s), mailto or tel link" in p.message


def test_link_text_must_make_sense_alone(make_issue):
    p = only(problems_for(make_issue, "  - type: text\n    id: t\n    body: To register, click [HERE](https://a.org)\n"))
    assert "does not say where it goes" in p.message


def test_raw_html_is_refused(make_issue):
    p = only(problems_for(make_issue, "  - type: text\n    id: t\n    body: <script>alert(1)</script>\n"))
    assert "raw HTML" in p.message


def test_block_ids_are_required_and_unique(make_issue):
    problems = problems_for(make_issue, "  - type: text\n    body: A\n  - type: text\n    id: x\n    body: B\n"
                            "  - type: text\n    id: x\n    body: C\n")
    assert {p.key for p in problems} == {"blocks[0].id", "blocks[2].id"}


def test_duplicate_yaml_key_is_reported(make_issue):
    p = only(problems_for(make_issue, "  - type: text\n    id: t\n    body: A\n    body: B\n"))
    assert p.key == "blocks[0].body" and "appears twice" in p.message


def test_yaml_syntax_error_names_the_line(make_issue):
    p = only(problems_for(make_issue, "  - type: text\n    id: t\n    body: [unclosed\n"))
    assert "not valid YAML" in p.message and p.line is not None


def test_unknown_library_block(make_issue):
    p = only(problems_for(make_issue, "  - include: mental-helth\n"))
    assert p.key == "blocks[0].include" and "mental-health" in p.hint


def test_library_block_is_included_with_its_file_name_as_id(make_issue):
    folder = make_issue(HEADER + "  - include: mental-health\n")
    block = load_issue(folder).blocks[0]
    assert block.id == "mental-health" and block.source.endswith("newsletters/library/mental-health.yaml")


def test_foodshare_entry_needs_date_or_weekday(make_issue):
    p = only(problems_for(make_issue, "  - type: foodshare_calendar\n    id: f\n    month: 2021-10\n"
                          "    distributions:\n      - start: '10:00'\n        end: '12:00'\n        site: Hall\n"))
    assert p.key == "blocks[0].distributions[0]" and "exactly one of 'date'" in p.message


def test_unknown_language(make_issue):
    header = HEADER.replace("languages: [en]", "languages: [en, xx]")
    p = only(problems_for(make_issue, "  - type: text\n    id: t\n    body: A\n", header))
    assert p.key == "languages[1]"


def test_low_contrast_brand_colour(make_issue):
    folder = make_issue(HEADER + "  - type: text\n    id: t\n    body: A\n")
    publication = folder.parent / "publication.yaml"
    publication.write_text(publication.read_text().replace('"#1f4e79"', '"#f4c542"'))
    with pytest.raises(NewsletterError) as caught:
        load_issue(folder)
    p = only(caught.value.problems)
    assert p.file.endswith("publication.yaml") and p.key == "brand_color" and "4.5:1" in p.message


def test_all_problems_reported_at_once(make_issue):
    header = HEADER.replace("title: Test issue\n", "")
    problems = problems_for(make_issue, "  - type: evnt\n    id: a\n"
                            "  - type: event\n    id: b\n    title: T\n    start: 2021-13-01T10:00\n", header)
    assert {p.key for p in problems} == {"title", "blocks[0].type", "blocks[1].start"}
