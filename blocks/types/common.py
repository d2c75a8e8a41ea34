"""Sub-schemas shared by several block types."""
from __future__ import annotations

from blocks.kinds import ImageFile, Integer, ListOf, Text, Url
from blocks.schema import Field, Schema

LINK = Schema({
    "label": Field(Text(), required=True, help="the words people click, saying where the link goes"),
    "url": Field(Url(), required=True, help="the address, starting with https://"),
}, name="link")

LINKS = ListOf(LINK)

IMAGE = Schema({
    "file": Field(ImageFile(), required=True, help="the picture beside the issue, e.g. images/forum.jpg"),
    "alt": Field(Text(), required=True, help="what the picture shows, for families who cannot see it"),
    "width": Field(Integer(maximum=4000), help="in pixels (the studio fills it in)"),
    "height": Field(Integer(maximum=4000), help="in pixels (the studio fills it in)"),
}, name="image")

HEADING = Field(Text(), help="the heading shown above the block")
