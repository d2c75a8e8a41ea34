"""The community partners behind a programme."""
from ..kinds import ListOf, Markdown, Text, Url
from ..schema import Field, Schema
from .common import HEADING, LINK

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
