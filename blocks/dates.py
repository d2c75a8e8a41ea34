"""Dates and times in the reader's language, from Babel's locale data.

Times are 12-hour everywhere: the families are in the US, where schools, flyers and
phone clocks use a.m./p.m. whatever the language.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_interval


# Haitian Creole: CLDR has no month or day names for it yet (Babel would write "M09" and "Wed").
_HT_DAYS = ("lendi", "madi", "mèkredi", "jedi", "vandredi", "samdi", "dimanch")
_HT_MONTHS = ("janvye", "fevriye", "mas", "avril", "me", "jen", "jiyè", "out", "septanm", "oktòb", "novanm", "desanm")


def full_date(day: dt.date, locale: Locale) -> str:
    if locale.language == "ht":
        return f"{_HT_DAYS[day.weekday()]} {day.day} {_HT_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "full", locale=locale)


_COMMAS = {"ar": "، ", "fa": "، ", "ur": "، ", "ps": "، ", "zh": "，", "ja": "、"}


def comma(locale: Locale) -> str:
    """The comma between a place and its address, a name and its role, in the reader's script."""
    return _COMMAS.get(locale.language, ", ")


def date_then_time(locale: Locale) -> tuple[bool, str]:
    """How the language joins a date and a time: (date first?, what goes between)."""
    pattern = locale.datetime_formats["medium"]
    date_first = pattern.index("{1}") < pattern.index("{0}")
    between = pattern.split("{1}" if date_first else "{0}", 1)[1].split("{0}" if date_first else "{1}", 1)[0]
    return date_first, between.replace("'", "") or " "


def time_range(start: dt.datetime | dt.time, end: dt.datetime | dt.time | None, locale: Locale) -> str:
    if end is None:
        return format_interval(start, start, "hm", locale=locale)
    return format_interval(start, end, "hm", locale=locale)


def when(start: dt.datetime, end: dt.datetime | None, locale: Locale, show_zone: bool = False) -> str:
    """'Wednesday, September 29, 2021, 6:00 – 7:30 PM' in the reader's language."""
    combine = locale.datetime_formats["medium"]
    if end is None or end.date() == start.date():
        text = combine.format(time_range(start, end, locale), full_date(start, locale))
    else:
        text = f"{_date_time(start, locale)} – {_date_time(end, locale)}"
    if show_zone:
        text += " " + format_datetime(start, "z", locale=locale)
    return text


def _date_time(moment: dt.datetime, locale: Locale) -> str:
    return locale.datetime_formats["medium"].format(
        format_datetime(moment, "h:mm a", locale=locale), full_date(moment.date(), locale))


def localize(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.replace(tzinfo=ZoneInfo(zone))


def week_start(day: dt.date) -> dt.date:
    """The Sunday that starts the US calendar week holding `day`."""
    return day - dt.timedelta(days=(day.weekday() + 1) % 7)


def month_day(day: dt.date, locale: Locale) -> str:
    if locale.language == "ht":
        return f"{day.day} {_HT_MONTHS[day.month - 1]} {day.year}"
    return format_date(day, "long", locale=locale)
