"""Opening block: a welcome heading and a few paragraphs, optionally greeting the reader."""
from blocks.kinds import Bool, Markdown, Text
from blocks.schema import Field, Schema
from blocks.types.common import IMAGE

NAME = "intro"
SCHEMA = Schema({
    "heading": Field(Text(), required=True, help="e.g. 'Welcome Back!'"),
    "subheading": Field(Text()),
    "greeting": Field(Bool(), default=False,
                      help="true to start with 'Dear <first name>,' (families without a name get a neutral greeting)"),
    "body": Field(Markdown(), required=True, help="a few paragraphs in Markdown"),
    "image": Field(IMAGE, help="a picture at the top of the block (PNG, JPEG or WebP, with alt text)"),
}, name="intro block")
