"""A section heading that starts a group of blocks, e.g. 'Community Resources'."""
from blocks.kinds import Text
from blocks.schema import Field, Schema

NAME = "heading"
SCHEMA = Schema({
    "text": Field(Text(), required=True, help="the heading, e.g. 'Community Resources and Guides'"),
    "subtitle": Field(Text()),
}, name="heading block")
