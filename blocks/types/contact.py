"""Who to contact, and how."""
from blocks.kinds import Email, Markdown, Phone, Text, Url
from blocks.schema import Field, Schema
from blocks.types.common import HEADING

NAME = "contact"
SCHEMA = Schema({
    "heading": HEADING,
    "body": Field(Markdown()),
    "name": Field(Text(translatable=False)),
    "role": Field(Text()),
    "email": Field(Email()),
    "phone": Field(Phone()),
    "address": Field(Text(translatable=False)),
    "url": Field(Url()),
}, name="contact block", check=lambda record, report, key: None if (
    record.email or record.phone or record.url or record.address) else report(
    key, "a contact block needs at least one way to reach someone", "add email, phone, url or address"))
