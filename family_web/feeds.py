"""The archive's Atom feed (RFC 4287) and the Foodshare calendar families can subscribe to.

The Foodshare calendar merges the food distributions of every issue families got, newest issue
first (an event published again keeps its UID, so the newer issue's version wins); calendar apps
that subscribed (webcal://) fetch it again by themselves, so next month's distributions appear
without anyone adding a file.
"""
from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from icalendar import Calendar, vDuration

from blocks.calendar import new_calendar
from mailer.publish.published_editions import Edition, WebFile
from mailer.publish.naming import tag

ATOM = "http://www.w3.org/2005/Atom"
FOODSHARE = "foodshare_calendar"
REFRESH = dt.timedelta(hours=12)    # how often a subscribed calendar app should fetch the calendar again


def choose(found: list, lang: str, fallback: str):
    """The item in `lang` among one issue's editions or files, else the one in `fallback`."""
    return next((item for item in found if item.lang == lang), None) or \
        next((item for item in found if item.lang == fallback), None)


def atom(title: str, base: str, issues: list[list[Edition]], lang: str) -> bytes:
    """The feed of `issues` (newest first, each its editions), entries in `lang` where there is one."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"xml:lang": tag(lang)})
    _text(feed, "id", f"{base}/")
    _text(feed, "title", title)
    _text(feed, "updated", max((e.updated_at for found in issues for e in found), default=None))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{base}/feed.atom", type="application/atom+xml")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=f"{base}/", type="text/html")
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = title
    for found in issues:
        shown = choose(found, lang, found[0].lang)          # editions come original first
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry", {"xml:lang": shown.tag})
        _text(entry, "id", f"{shown.web_url}/")
        _text(entry, "title", f"{shown.title} ({shown.period})")
        _text(entry, "published", shown.published_at)
        _text(entry, "updated", max(e.updated_at for e in found))
        _text(entry, "summary", shown.preheader)
        for edition in found:
            attributes = {"rel": "alternate", "type": "text/html", "hreflang": edition.tag,
                          "href": f"{edition.web_url}/{edition.tag}.html"}
            ET.SubElement(entry, f"{{{ATOM}}}link", attributes)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _text(parent, name: str, value) -> None:
    if value is None:
        return
    text = value.isoformat(timespec="seconds") if hasattr(value, "isoformat") else str(value)
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def foodshare_files(issues: list[list[Edition]], files: list[WebFile], lang: str) -> list[WebFile]:
    """Of each issue (newest first), its Foodshare calendar in `lang`, else in its original language."""
    chosen = []
    for found in issues:
        own = [f for f in files if f.issue == found[0].issue and f.block_type == FOODSHARE]
        picked = {_block(f): f for f in own if f.lang == found[0].lang}
        picked.update({_block(f): f for f in own if f.lang == lang})
        chosen += sorted(picked.values(), key=lambda f: f.name)
    return chosen


def _block(file: WebFile) -> str:
    """The block a calendar file belongs to: its name without -<language>.ics."""
    for suffix in (f"-{tag(file.lang)}.ics", f"-{file.lang}.ics"):
        if file.name.endswith(suffix):
            return file.name[:-len(suffix)]
    return file.name


def foodshare_calendar(chosen: list[WebFile], calendar_name: str, publication_name: str) -> bytes:
    """One calendar of the distributions in `chosen` (newest issue first)."""
    calendar = new_calendar(calendar_name, publication_name)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    seen: set[str] = set()
    for file in chosen:
        for event in Calendar.from_ical(file.content).walk("VEVENT"):
            uid = str(event.get("uid"))
            if uid not in seen:
                seen.add(uid)
                calendar.add_component(event)
    return calendar.to_ical()
