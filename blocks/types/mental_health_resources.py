"""Mental-health resources, with the 988 Suicide & Crisis Lifeline pinned first on request."""
from __future__ import annotations

from blocks.kinds import Bool, ListOf, Markdown, Phone, PhoneNumber, Text, Url
from blocks.record import Record
from blocks.schema import Field, Schema
from blocks.types.common import HEADING

NAME = "mental_health_resources"

RESOURCE = Schema({
    "name": Field(Text(), required=True),
    "helps_with": Field(Text(), help="what it helps with, e.g. 'Stress, anxiety, family conflict'"),
    "phone": Field(Phone()),
    "text_line": Field(Text(), help="e.g. 'Text HOME to 741741'"),
    "url": Field(Url()),
    "hours": Field(Text(), help="e.g. '24/7' or 'Mon-Fri 9-5'"),
}, name="resource", check=lambda r, report, key: None if (r.phone or r.url or r.text_line) else report(
    key, f"'{r.name}' has no way to reach it", "add phone, text_line or url"))

SCHEMA = Schema({
    "heading": HEADING,
    "intro": Field(Markdown()),
    "pin_crisis_line": Field(Bool(), default=False,
                             help="true to list the 988 Suicide & Crisis Lifeline first, in the reader's language"),
    "resources": Field(ListOf(RESOURCE), default=()),
    "outro": Field(Markdown()),
}, name="mental_health_resources block", check=lambda r, report, key: None if (
    r.resources or r.pin_crisis_line) else report(key, "no resources listed", "add resources, or pin_crisis_line: true"))


def crisis_line(gettext) -> Record:
    return Record(
        name=gettext("988 Suicide & Crisis Lifeline"),
        helps_with=gettext("Free, confidential support for anyone in distress or worried about someone, "
                           "with interpreters in over 240 languages"),
        phone=PhoneNumber("988", "988"),
        text_line=gettext("Text 988"),
        url="https://988lifeline.org",
        hours=gettext("24 hours a day, 7 days a week"),
    )


def prepare(block, ctx) -> dict:
    pinned = [crisis_line(ctx.gettext)] if block.fields.pin_crisis_line else []
    return {"resources": pinned + list(block.fields.resources), "crisis_pinned": bool(pinned)}
