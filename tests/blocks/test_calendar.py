"""Calendar files (blocks/calendar.py): DTSTAMP is the build time or SOURCE_DATE_EPOCH, PRODID names the publication;
Google Calendar links carry the whole description unless the link would be too long."""
import datetime as dt
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from blocks.calendar import GOOGLE_URL_LIMIT, CalendarEntry, google_calendar_link, to_ics
from blocks.loader import load_issue
from blocks.render import render_issue
from common.errors import ConfigError
from common.settings import Settings

UTC = dt.timezone.utc
ENTRY = CalendarEntry(uid="kickoff@example.org", summary="Kick Off",
                      start=dt.datetime(2021, 9, 29, 22, tzinfo=UTC), end=dt.datetime(2021, 9, 29, 23, tzinfo=UTC))


def stamps(ics: bytes) -> set[dt.datetime]:
    return {event.decoded("DTSTAMP") for event in Calendar.from_ical(ics).walk("VEVENT")}


def epoch(value: str):
    return Settings.from_env({"SOURCE_DATE_EPOCH": value}).build_time


def test_dtstamp_follows_source_date_epoch(sample_issue):
    stamp = epoch("1633000000")
    assert stamps(to_ics([ENTRY], "Events", "en", "Office", stamp)) == {dt.datetime(2021, 9, 30, 11, 6, 40, tzinfo=UTC)}
    files = render_issue(sample_issue, "en", stamp=stamp).files
    assert files and all(stamps(ics) == {dt.datetime(2021, 9, 30, 11, 6, 40, tzinfo=UTC)} for ics in files.values())
    assert b"DTSTAMP:20210930T110640Z" in files["kickoff-en.ics"]


def test_same_sources_and_epoch_give_the_same_bytes(sample_issue):
    stamp = epoch("1633000000")
    assert render_issue(sample_issue, "en", stamp=stamp).files == render_issue(sample_issue, "en", stamp=stamp).files


def test_without_source_date_epoch_dtstamp_is_the_build_time(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    before = dt.datetime.now(UTC).replace(microsecond=0)
    [stamp] = stamps(to_ics([ENTRY], "Events", "en", "Office"))
    after = dt.datetime.now(UTC)
    assert before <= stamp <= after


@pytest.mark.parametrize("value", ["yesterday", "-1", "1.5", "99999999999999999999"])
def test_a_malformed_source_date_epoch_is_a_setting_error(value):
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH") as caught:
        epoch(value)
    assert caught.value.setting == "SOURCE_DATE_EPOCH" and "git log -1" in caught.value.problems[0].hint


def test_prodid_names_the_publication(sample_en):
    cal = Calendar.from_ical(sample_en.files["kickoff-en.ics"])
    assert str(cal["PRODID"]) == "-//Office of Equity Advancement//newsletter composer//EN"


def test_prodid_follows_publication_yaml(make_issue, tmp_path):
    folder = make_issue("""\
        title: T
        period: P
        subject: S
        preheader: H
        blocks:
          - {type: event, id: picnic, title: Picnic, start: 2021-10-02T12:00}
        """)
    settings = tmp_path / "newsletters" / "equity" / "publication.yaml"
    settings.write_text(settings.read_text().replace("name: Office of Equity Advancement",
                                                     "name: Riverside Family Center", 1))
    ics = render_issue(load_issue(folder), "en").files["picnic-en.ics"]
    assert str(Calendar.from_ical(ics)["PRODID"]) == "-//Riverside Family Center//newsletter composer//EN"
    assert b"Office of Equity Advancement" not in ics


def _details(link: str) -> str:
    return parse_qs(urlsplit(link).query).get("details", [""])[0]


def _kickoff_link(email) -> str:
    return html.unescape(re.search(r'href="(https://calendar\.google\.com[^"]+One\+Community[^"]+)"', email.html).group(1))


def test_a_typical_event_gets_its_whole_description_in_the_google_link(sample_issue):
    email = render_issue(sample_issue, "en")
    [kickoff] = [b for b in sample_issue.blocks if b.id == "kickoff"]
    text = _details(_kickoff_link(email))
    assert "…" not in text and text.endswith("Register: https://www.whps.org/equitypolicy")
    assert "A join link will be emailed to you after you have completed the online registration." in text
    assert " ".join(kickoff.fields.body.split()).replace("**", "") in " ".join(text.split())
    assert len(_kickoff_link(email)) <= GOOGLE_URL_LIMIT


@pytest.mark.parametrize("word", ["community", "مجتمع", "社区"])     # percent-encoding makes some scripts 9x longer
def test_a_very_long_description_is_cut_at_a_word_to_keep_the_link_short(word):
    body = " ".join([word] * (5000 // (len(word) + 1))) + "\n\nRegister: https://example.org/register"
    assert len(body) >= 4990
    entry = CalendarEntry("u", "Family night", ENTRY.start, ENTRY.end, location="Hall High School", description=body)
    link = google_calendar_link(entry)
    text = _details(link)
    assert len(link) <= GOOGLE_URL_LIMIT and len(link) > GOOGLE_URL_LIMIT - 200     # as much as fits
    assert text.endswith(f"{word}…\n\nRegister: https://example.org/register")      # whole words, the link kept
    assert set(text.split("…")[0].split(" ")) == {word}
    query = parse_qs(urlsplit(link).query)
    assert query["text"] == ["Family night"] and query["location"] == ["Hall High School"]
