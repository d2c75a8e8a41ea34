"""A boxed announcement that stands out, with an optional button."""
from ..kinds import Choice, Markdown, Text
from ..schema import Field, Schema
from .common import LINK

NAME = "callout"
SCHEMA = Schema({
    "heading": Field(Text(), required=True),
    "body": Field(Markdown(), required=True),
    "link": Field(LINK),
    "tone": Field(Choice(("info", "important")), default="info",
                  help="'important' uses a stronger colour for deadlines and urgent news"),
}, name="callout block")
