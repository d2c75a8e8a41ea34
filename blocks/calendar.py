"""Add-to-calendar offers: .ics files (icalendar) and Google Calendar links."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from icalendar import Calendar, Event

# A fixed stamp keeps builds reproducible; calendars use UID + SEQUENCE to update events.
_STAMP = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class CalendarEntry:
    uid: str
    summary: str
    start: dt.datetime         # time-zone aware
    end: dt.datetime
    location: str = ""
    description: str = ""
    url: str = ""


def to_ics(entries: list[CalendarEntry], calendar_name: str, lang: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Office of Equity Advancement//newsletter composer//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", calendar_name)
    for entry in entries:
        event = Event()
        event.add("uid", entry.uid)
        event.add("dtstamp", _STAMP)
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


def google_calendar_link(entry: CalendarEntry) -> str:
    def utc(moment: dt.datetime) -> str:
        return moment.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")

    query = {"action": "TEMPLATE", "text": entry.summary, "dates": f"{utc(entry.start)}/{utc(entry.end)}"}
    if entry.description:
        query["details"] = entry.description[:300]
    if entry.location:
        query["location"] = entry.location
    return "https://calendar.google.com/calendar/render?" + urlencode(query)
