"""A boxed announcement that stands out, with an optional button."""
from blocks.kinds import Choice, Markdown, Text
from blocks.schema import Field, Schema
from blocks.types.common import IMAGE, LINK

NAME = "callout"
SCHEMA = Schema({
    "heading": Field(Text(), required=True),
    "body": Field(Markdown(), required=True),
    "link": Field(LINK),
    "tone": Field(Choice(("info", "important")), default="info",
                  help="'important' uses a stronger colour for deadlines and urgent news"),
    "image": Field(IMAGE, help="a picture at the top of the block (PNG, JPEG or WebP, with alt text)"),
}, name="callout block")
