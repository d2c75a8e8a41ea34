"""An event: when, where (or online), what, how to register, and an Add to calendar offer.

Events with an exact `start` get a localized date line, an .ics file and a Google
Calendar link. Events known only roughly ("September & October") use `when`.
Recorded events (`recorded: true`) show their links but no calendar offer.
"""
from __future__ import annotations

import datetime as dt

from blocks import dates, markdown
from blocks.calendar import CalendarEntry, google_calendar_link
from blocks.kinds import Bool, ListOf, Markdown, Text, Url
from blocks.kinds_time import DateTime, TimeZone
from blocks.schema import Field, Schema
from blocks.types.common import LINK

NAME = "event"


def _check(record, report, key):
    if not record.start and not record.when:
        report(key, "an event needs 'start' (exact date and time) or 'when' (e.g. 'September & October')",
               "add start: 2021-09-29T18:00, or when: September & October")
    if record.end and not record.start:
        report(f"{key}.end", "'end' is set but 'start' is not", "add start, or remove end")
    if record.start and record.end and record.end <= record.start:
        report(f"{key}.end", f"the event ends ({record.end:%Y-%m-%d %H:%M}) before it starts "
               f"({record.start:%Y-%m-%d %H:%M})", "check the dates and the 24-hour times")
    if record.registration_label and not record.registration:
        report(f"{key}.registration_label", "a registration label without a registration link",
               "add registration: https://..., or remove the label")
    if record.online and record.place:
        report(f"{key}.place", "the event is both online and at a place",
               "remove 'online: true' or 'place' (for hybrid events, say so in the description)")


SCHEMA = Schema({
    "title": Field(Text(), required=True),
    "label": Field(Text(), help="a short tag above the title, e.g. 'On demand'"),
    "start": Field(DateTime(), help="e.g. 2021-09-29T18:00 (24-hour, local time)"),
    "end": Field(DateTime()),
    "timezone": Field(TimeZone(), help="defaults to the publication's time zone"),
    "when": Field(Text(), help="for events without an exact time, e.g. 'September & October'"),
    "online": Field(Bool(), default=False),
    "place": Field(Text(translatable=False)),
    "address": Field(Text(translatable=False)),
    "body": Field(Markdown()),
    "registration": Field(Url()),
    "registration_label": Field(Text()),
    "links": Field(ListOf(LINK)),
    "recorded": Field(Bool(), default=False),
}, name="event block", check=_check)


def _moments(block, ctx):
    fields = block.fields
    zone = fields.timezone or ctx.timezone
    start = dates.localize(fields.start, zone)
    end = dates.localize(fields.end, zone) if fields.end else start + dt.timedelta(hours=1)
    return start, end, zone


def calendar_entries(block, ctx) -> list[CalendarEntry]:
    fields = block.fields
    if not fields.start or fields.recorded:
        return []
    start, end, _ = _moments(block, ctx)
    location = ctx.gettext("Online") if fields.online else ", ".join(filter(None, [fields.place, fields.address]))
    description = markdown.to_text(fields.body, width=10_000) if fields.body else ""
    if fields.registration:
        description += f"\n\n{ctx.gettext('Register')}: {fields.registration}"
    return [CalendarEntry(uid=ctx.uid(block.id), summary=fields.title, start=start, end=end,
                          location=location, description=description.strip(),
                          url=fields.registration or "")]


def prepare(block, ctx) -> dict:
    fields = block.fields
    when = fields.when
    if fields.start:
        start, end, zone = _moments(block, ctx)
        when = dates.when(start, end if fields.end else None, ctx.locale, show_zone=zone != ctx.timezone)
    entries = calendar_entries(block, ctx)
    return {
        "when": when,
        "google_link": google_calendar_link(entries[0]) if entries else None,
        "where": ctx.gettext("Online") if fields.online else fields.place,
    }
