"""Links to resources, each with a short description."""
from blocks.kinds import ListOf, Markdown, Phone, Text, Url
from blocks.schema import Field, Schema
from blocks.types.common import HEADING

NAME = "resource_list"
RESOURCE = Schema({
    "title": Field(Text(), required=True),
    "url": Field(Url()),
    "link_label": Field(Text(), help="button text; defaults to the resource's title"),
    "description": Field(Markdown()),
    "phone": Field(Phone()),
}, name="resource")
SCHEMA = Schema({
    "heading": HEADING,
    "intro": Field(Markdown()),
    "resources": Field(ListOf(RESOURCE), required=True, help="a list of resources with title, url, description"),
}, name="resource_list block")
