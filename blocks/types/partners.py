"""The community partners behind a programme."""
from blocks.kinds import ListOf, Markdown, Text, Url
from blocks.schema import Field, Schema
from blocks.types.common import HEADING, LINK

NAME = "partners"
PARTNER = Schema({
    "name": Field(Text(translatable=False), required=True),
    "short": Field(Text(translatable=False), help="abbreviation, e.g. SEPTO"),
    "url": Field(Url()),
}, name="partner")
SCHEMA = Schema({
    "heading": HEADING,
    "intro": Field(Markdown()),
    "partners": Field(ListOf(PARTNER), required=True),
    "outro": Field(Markdown()),
    "link": Field(LINK),
}, name="partners block")
