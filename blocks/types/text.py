"""Free text in the small safe Markdown, with an optional heading."""
from ..kinds import Markdown
from ..schema import Field, Schema
from .common import HEADING

NAME = "text"
SCHEMA = Schema({
    "heading": HEADING,
    "body": Field(Markdown(), required=True, help="paragraphs in Markdown"),
}, name="text block")
