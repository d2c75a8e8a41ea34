"""Add-to-calendar offers: .ics files (icalendar) and Google Calendar links.

Each .ics names the publication in its PRODID and stamps its events (DTSTAMP) with the
build time, or with SOURCE_DATE_EPOCH when it is set, so a rebuild of the same sources
gives the same bytes (https://reproducible-builds.org/specs/source-date-epoch/).
Calendar apps match a re-published event by UID and take the later DTSTAMP as the newer version.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from icalendar import Calendar, Event



@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    start: dt.datetime         # time-zone aware
    end: dt.datetime
    location: str = ""
    description: str = ""
    url: str = ""


def build_time(stamp: dt.datetime | None = None) -> dt.datetime:
    """`stamp` (Settings.build_time: SOURCE_DATE_EPOCH, for reproducible builds), else now in UTC, to the second."""
    return stamp or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def product_id(publication_name: str) -> str:
    """The PRODID naming the publication (a "//" in the name would read as a field separator)."""
    return f"-//{publication_name.replace('//', '/')}//newsletter composer//EN"


def new_calendar(calendar_name: str, publication_name: str) -> Calendar:
    """An empty calendar named `calendar_name`, made by the publication (also for subscriptions)."""
    cal = Calendar()
    cal.add("prodid", product_id(publication_name))
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    return cal


def to_ics(entries: list[CalendarEntry], calendar_name: str, lang: str, publication_name: str,
           stamp: dt.datetime | None = None) -> bytes:
    """A calendar of `entries`; `stamp` (DTSTAMP) defaults to build_time()."""
    stamp = build_time(stamp)
    cal = new_calendar(calendar_name, publication_name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.start.astimezone(dt.timezone.utc))  # UTC: every calendar app agrees
        event.add("dtend", entry.end.astimezone(dt.timezone.utc))
        event.add("summary", entry.summary, parameters={"LANGUAGE": lang.replace("_", "-")})
        if entry.location:
            event.add("location", entry.location)
        if entry.description:
            event.add("description", entry.description)
        if entry.url:
            event.add("url", entry.url)
        cal.add_component(event)
    return cal.to_ical()


# A Google Calendar link carries the event's whole description unless the link would then be longer
# than this: Google's render URL is known to work to about 2,000 characters in browsers and mail
# clients (and some clients and proxies cut or refuse longer ones). Only then is the description
# shortened, at a word boundary, keeping its paragraphs with a link (the .ics file has it all).
GOOGLE_URL_LIMIT = 2000
GOOGLE_RENDER = "https://calendar.google.com/calendar/render?"


def shorten(text: str, limit: int) -> str:
    """`text` in at most about `limit` characters: paragraphs with a link (e.g. "Register: https://...")
    are kept whole, the rest is cut at a word boundary with "…", never in the middle of a word."""
    if len(text) <= limit:
        return text
    paragraphs = text.split("\n\n")
    linked = [p for p in paragraphs if "://" in p]
    prose = "\n\n".join(p for p in paragraphs if "://" not in p)
    room = max(limit - sum(len(p) + 2 for p in linked), 0)
    if len(prose) > room:
        prose = _cut(prose, room)
    return "\n\n".join(filter(None, [prose, *linked]))


def _cut(text: str, room: int) -> str:
    """`text` cut at the last space within `room` characters, with "…" ("" when no word fits)."""
    cut = text[:room + 1]
    kept = (cut[:cut.rfind(" ")] if " " in cut else "").rstrip(" ,.;:-\n")
    return kept + "…" if kept else ""


def _longest(text: str, shortened, fits) -> str | None:
    """`shortened(text, n)` for the largest n (binary search) whose result `fits`; None if none does."""
    best, low, high = None, 0, len(text)
    while low <= high:
        middle = (low + high) // 2
        candidate = shortened(text, middle)
        if fits(candidate):
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best


def google_calendar_link(entry: CalendarEntry) -> str:
    """A link that opens Google Calendar's "new event" page filled in: the whole description when
    the link stays within GOOGLE_URL_LIMIT characters, else as much of it as fits (cut at a word
    boundary, links kept whole; if the links alone are too long, cut as plain text)."""
    def utc(moment: dt.datetime) -> str:
        return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    def link(details: str) -> str:
        query = {"action": "TEMPLATE", "text": entry.summary, "dates": f"{utc(entry.start)}/{utc(entry.end)}",
                 "details": details, "location": entry.location}
        return GOOGLE_RENDER + urlencode({key: value for key, value in query.items() if value})

    def fits(details: str) -> bool:
        return len(link(details)) <= GOOGLE_URL_LIMIT

    text = entry.description
    if fits(text):
        return link(text)
    details = _longest(text, shorten, fits) or _longest(text, _cut, fits) or ""
    return link(details)
