"""Bullet lists, each with an optional heading and a short introduction, e.g. 'what you can expect'."""
from blocks.kinds import ListOf, Markdown, Text
from blocks.schema import Field, Schema
from blocks.types.common import HEADING

NAME = "feature_list"
GROUP = Schema({
    "heading": Field(Text(), help="a small heading above this list, e.g. 'Regular features'"),
    "intro": Field(Markdown(), help="the sentence before the list, e.g. 'As well as regular features:'"),
    "features": Field(ListOf(Text()), required=True, help="one '- ' line per feature"),
}, name="feature group")
SCHEMA = Schema({
    "heading": HEADING,
    "groups": Field(ListOf(GROUP), required=True, help="one or more lists, each with intro and features"),
    "outro": Field(Markdown()),
}, name="feature_list block")
