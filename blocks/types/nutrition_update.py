"""School meals: menus, meal-benefit applications, deadlines and links."""
from __future__ import annotations

from blocks import dates
from blocks.kinds import ListOf, Markdown, Text, Url
from blocks.kinds_time import Date
from blocks.schema import Field, Schema
from blocks.types.common import HEADING, LINKS

NAME = "nutrition_update"

APPLICATION = Schema({
    "body": Field(Markdown(), required=True, help="who can apply and why"),
    "url": Field(Url(), required=True),
    "label": Field(Text(), help="button text; defaults to 'Apply for meal benefits'"),
    "deadline": Field(Date()),
}, name="meal-benefit application")

DEADLINE = Schema({
    "date": Field(Date(), required=True),
    "what": Field(Text(), required=True),
}, name="deadline")

SCHEMA = Schema({
    "heading": HEADING,
    "body": Field(Markdown()),
    "menus": Field(LINKS, default=(), help="links to menus, each with label and url"),
    "application": Field(APPLICATION),
    "deadlines": Field(ListOf(DEADLINE), default=()),
    "links": Field(LINKS, default=()),
}, name="nutrition_update block", check=lambda r, report, key: None if (
    r.body or r.menus or r.application or r.deadlines) else report(
    key, "the nutrition update is empty", "add body, menus, application or deadlines"))


def prepare(block, ctx) -> dict:
    fields = block.fields
    deadline = fields.application.deadline if fields.application else None
    return {
        "deadlines": [{"date": dates.full_date(d.date, ctx.locale), "what": d.what}
                      for d in sorted(fields.deadlines, key=lambda d: d.date)],
        "application_deadline": dates.full_date(deadline, ctx.locale) if deadline else None,
    }
