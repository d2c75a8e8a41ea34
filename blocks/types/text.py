"""Free text in the small safe Markdown, with an optional heading."""
from blocks.kinds import Markdown
from blocks.schema import Field, Schema
from blocks.types.common import HEADING

NAME = "text"
SCHEMA = Schema({
    "heading": HEADING,
    "body": Field(Markdown(), required=True, help="paragraphs in Markdown"),
}, name="text block")
