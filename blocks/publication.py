"""Publication-wide settings (newsletters/publication.yaml): who sends, how it looks, the footer."""
from __future__ import annotations

import re

from blocks.kinds import Choice, Color, Email, Integer, Language, ListOf, Markdown, Text, Url
from blocks.kinds_time import TimeZone
from blocks.i18n.machine.order import DEFAULT as DEFAULT_PROVIDERS, ProviderOrderKind
from blocks.i18n.policy import MachinePolicy, MachinePolicyKind
from blocks.schema import Field, Schema

WHITE = "#ffffff"


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _check(record, report, key):
    if record.slug is not None and not SLUG.fullmatch(record.slug):
        report("slug", f"'{record.slug}' cannot be part of a web address",
               "use lowercase letters, digits and dashes, e.g. equity")
    ratio = contrast_ratio(record.brand_color, WHITE)
    if ratio < 4.5:
        report("brand_color", f"{record.brand_color} on white has contrast {ratio:.1f}:1, below the 4.5:1 "
               "that people with low vision need (it is used for links, headings and white button text)",
               "choose a darker colour, e.g. #1f4e79")


SENDER = Schema({
    "name": Field(Text(translatable=False), required=True),
    "email": Field(Email(), required=True),
}, name="sender")

LOGO = Schema({
    "url": Field(Url(), required=True, help="a public https:// address of a PNG or JPEG"),
    "alt": Field(Text(), required=True, help="what the logo says, for screen readers and blocked images"),
    "width": Field(Integer(minimum=40, maximum=600), default=160),
}, name="logo")

SCHEMA = Schema({
    "name": Field(Text(), required=True, help="e.g. 'Office of Equity Advancement'"),
    "organization": Field(Text(translatable=False), help="e.g. 'West Hartford Public Schools'"),
    "sender": Field(SENDER, required=True, help="name and email the newsletter comes from"),
    "reply_to": Field(Email()),
    "postal_address": Field(Text(translatable=False), required=True,
                            help="a postal address is required in bulk email (CAN-SPAM)"),
    "website": Field(Url()),
    "web_base_url": Field(Url(), help="where sent issues are published, e.g. https://example.org/newsletter; "
                                      "calendar files and 'view in browser' links point there; defaults to "
                                      "the preference center's NEWSLETTER_BASE_URL/<slug>, which serves them"),
    "slug": Field(Text(translatable=False, max_length=40),
                  help="the publication's short name in web addresses, e.g. equity (/equity/<issue>/); "
                       "defaults to its name in lowercase with dashes"),
    "logo": Field(LOGO),
    "brand_color": Field(Color(), default="#1f4e79"),
    "footer": Field(Markdown(), help="a short paragraph about the office, in Markdown"),
    "timezone": Field(TimeZone(), default="America/New_York"),
    "languages": Field(ListOf(Language()), default=("en",), help="the languages this publication supports"),
    "fallback": Field(Choice(("english", "hold")), default="english",
                      help="what families get when an issue lacks their language: english, or hold (nothing "
                           "until it is translated)"),
    "machine": Field(MachinePolicyKind(), default=MachinePolicy(),
                     help="machine translations: send (with a banner saying so) or hold (until a reviewer "
                          "approves them), for every language or per language"),
    "machine_providers": Field(ProviderOrderKind(), default=DEFAULT_PROVIDERS,
                               help="machine-translation services in the order to try them, e.g. [deepl, google]: "
                                    "each language goes to the first that offers it"),
}, name="publication settings", check=_check)
