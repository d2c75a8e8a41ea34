"""A boxed announcement that stands out, with an optional button."""
from blocks.kinds import Choice, Markdown, Text
from blocks.schema import Field, Schema
from blocks.types.common import LINK

NAME = "callout"
SCHEMA = Schema({
    "heading": Field(Text(), required=True),
    "body": Field(Markdown(), required=True),
    "link": Field(LINK),
    "tone": Field(Choice(("info", "important")), default="info",
                  help="'important' uses a stronger colour for deadlines and urgent news"),
}, name="callout block")
