"""A month (or date range) of food distributions, grouped by week, with one .ics for all.

Entries are either on one `date` or repeat `every: tuesday` within the block's range,
skipping dates listed under `except`.
"""
from __future__ import annotations

import datetime as dt
from itertools import groupby

from blocks import dates
from blocks.calendar import CalendarEntry
from blocks.kinds import ListOf, Markdown, Text, Url
from blocks.kinds_time import WEEKDAYS, WEEKDAY, Date, Month, Time
from blocks.record import Record
from blocks.schema import Field, Schema
from blocks.types.common import HEADING

NAME = "foodshare_calendar"


def _check_entry(record, report, key):
    if bool(record.date) == bool(record.every):
        report(key, "each distribution needs exactly one of 'date' (one day) or 'every' (a weekday)",
               "e.g. date: 2021-10-05, or every: tuesday")
    if record.end <= record.start:
        report(f"{key}.end", f"ends at {record.end:%H:%M}, before it starts at {record.start:%H:%M}",
               "use 24-hour times, e.g. start: '10:00', end: '12:00'")


DISTRIBUTION = Schema({
    "date": Field(Date()),
    "every": Field(WEEKDAY, help="a weekday, e.g. tuesday"),
    "except": Field(ListOf(Date(), allow_single=True), default=(), help="dates in the range with no distribution"),
    "start": Field(Time(), required=True, help="24-hour time, e.g. '10:00'"),
    "end": Field(Time(), required=True, help="24-hour time, e.g. '12:00'"),
    "site": Field(Text(translatable=False), required=True, help="the place, e.g. 'Elmwood Community Center'"),
    "address": Field(Text(translatable=False)),
    "notes": Field(ListOf(Text(), allow_single=True), default=(), help="e.g. 'Bring a bag', 'No ID needed'"),
}, name="distribution", check=_check_entry)


def _range(record) -> tuple[dt.date | None, dt.date | None]:
    if record.month:
        first = record.month
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return first, following - dt.timedelta(days=1)
    return record.start_date, record.end_date


def _check(record, report, key):
    if bool(record.month) == bool(record.start_date or record.end_date):
        report(key, "give either 'month' or both 'start_date' and 'end_date'",
               "e.g. month: 2021-10, or start_date: 2021-10-01 and end_date: 2021-11-15")
        return
    first, last = _range(record)
    if not first or not last or last < first:
        report(f"{key}.end_date", "the date range is empty or incomplete", "end_date must be on or after start_date")
        return
    for i, entry in enumerate(record.distributions):
        if entry.date and not first <= entry.date <= last:
            report(f"{key}.distributions[{i}].date", f"{entry.date} is outside this calendar ({first} to {last})",
                   "fix the date or widen the calendar's range")


SCHEMA = Schema({
    "heading": HEADING,
    "intro": Field(Markdown()),
    "month": Field(Month(), help="e.g. 2021-10"),
    "start_date": Field(Date()),
    "end_date": Field(Date()),
    "distributions": Field(ListOf(DISTRIBUTION), required=True),
    "more_info": Field(Url(), help="where the full, current schedule is"),
}, name="foodshare_calendar block", check=_check)


def occurrences(fields) -> list[tuple[dt.date, Record]]:
    """Every distribution in the range, recurring ones expanded, sorted by date and time."""
    first, last = _range(fields)
    found = []
    for entry in fields.distributions:
        if entry.date:
            found.append((entry.date, entry))
            continue
        day = first + dt.timedelta(days=(WEEKDAYS.index(entry.every) - first.weekday()) % 7)
        while day <= last:
            if day not in entry.get("except"):
                found.append((day, entry))
            day += dt.timedelta(days=7)
    return sorted(found, key=lambda pair: (pair[0], pair[1].start))


def calendar_entries(block, ctx) -> list[CalendarEntry]:
    zone = ctx.timezone
    summary = ctx.gettext("Food distribution")
    return [CalendarEntry(
        uid=ctx.uid(block.id, day.isoformat(), entry.start.strftime("%H%M"), str(i)),
        summary=f"{summary}: {entry.site}",
        start=dates.localize(dt.datetime.combine(day, entry.start), zone),
        end=dates.localize(dt.datetime.combine(day, entry.end), zone),
        location=", ".join(filter(None, [entry.site, entry.address])),
        description="\n".join(entry.notes),
    ) for i, (day, entry) in enumerate(occurrences(block.fields))]


def prepare(block, ctx) -> dict:
    weeks = []
    for start, items in groupby(occurrences(block.fields), key=lambda pair: dates.week_start(pair[0])):
        weeks.append({
            "label": ctx.gettext("Week of %(date)s") % {"date": dates.month_day(start, ctx.locale)},
            "days": [{
                "date": dates.full_date(day, ctx.locale),
                "time": dates.time_range(entry.start, entry.end, ctx.locale),
                "entry": entry,
            } for day, entry in items],
        })
    date_first, between = dates.date_then_time(ctx.locale)      # "date, time" as the language joins them
    return {"weeks": weeks, "date_first": date_first, "between": between}
