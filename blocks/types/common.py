"""Sub-schemas shared by several block types."""
from __future__ import annotations

from blocks.kinds import ListOf, Text, Url
from blocks.schema import Field, Schema

LINK = Schema({
    "label": Field(Text(), required=True, help="the words people click, saying where the link goes"),
    "url": Field(Url(), required=True, help="the address, starting with https://"),
}, name="link")

LINKS = ListOf(LINK)

HEADING = Field(Text(), help="the heading shown above the block")
