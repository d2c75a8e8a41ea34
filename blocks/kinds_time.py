"""Value kinds for when things happen: dates, date-times, times, months, weekdays, time zones.

Dates and times must be written in one ISO form (2021-09-29, 2021-09-29T18:00, 18:30,
2021-10): anything else is refused with an example, never guessed.
"""
from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

from blocks.kinds import Choice, Kind, as_text
from common.problems import FieldError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY = Choice(WEEKDAYS)


def _strict(text: str, formats: tuple[str, ...], what: str, example: str, parse):
    last_error = None
    for fmt in formats:
        if re.fullmatch(fmt, text):
            try:
                return parse(text)
            except ValueError as e:
                last_error = e
    reason = f": {last_error}" if last_error else ""
    raise FieldError(f"'{text}' is not a valid {what}{reason}", f"write it as {example}")


@dataclass(frozen=True)
class Date(Kind):
    def clean(self, value) -> dt.date:
        return _strict(as_text(value), (r"\d{4}-\d{2}-\d{2}",), "date", "YYYY-MM-DD, e.g. 2021-09-29",
                       dt.date.fromisoformat)


@dataclass(frozen=True)
class DateTime(Kind):
    """A local date and time; the block's time zone is applied later."""

    def clean(self, value) -> dt.datetime:
        return _strict(as_text(value), (r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}",), "date and time",
                       "YYYY-MM-DDTHH:MM in 24-hour time, e.g. 2021-09-29T18:00",
                       lambda t: dt.datetime.fromisoformat(t.replace(" ", "T")))


@dataclass(frozen=True)
class Time(Kind):
    def clean(self, value) -> dt.time:
        return _strict(as_text(value), (r"\d{1,2}:\d{2}",), "time", "HH:MM in 24-hour time, e.g. 18:30",
                       lambda t: dt.time.fromisoformat(t.zfill(5)))


@dataclass(frozen=True)
class Month(Kind):
    def clean(self, value) -> dt.date:
        return _strict(as_text(value), (r"\d{4}-\d{2}",), "month", "YYYY-MM, e.g. 2021-10",
                       lambda t: dt.date.fromisoformat(t + "-01"))


@dataclass(frozen=True)
class TimeZone(Kind):
    def clean(self, value) -> str:
        text = as_text(value)
        try:
            zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise FieldError(f"'{text}' is not a known time zone",
                             "use an IANA name such as America/New_York") from None
        return text
