"""Publication-wide settings (newsletters/<publication>/publication.yaml): who sends, how it looks, the footer."""
from __future__ import annotations

import re

from blocks.kinds import Bool, Choice, Color, Email, Integer, Language, ListOf, Markdown, Text, Url
from blocks.kinds_time import TimeZone
from blocks.i18n.machine.order import DEFAULT as DEFAULT_PROVIDERS, ProviderOrderKind
from blocks.i18n.policy import MachinePolicy, MachinePolicyKind
from blocks.record import Record
from blocks.schema import Field, Schema, join_key

WHITE, BLACK = "#ffffff", "#000000"
MINIMUM = 4.5                   # WCAG 2 AA, text of body size
DEFAULTS = {"brand": "#1f4e79", "text": "#1f2933", "button_text": WHITE, "important": "#b3261e"}
# The greys of the email's frame (page, footer, small print): the same for every publication.
NEUTRALS = {"white": WHITE, "page_background": "#eef1f4", "chrome_text": "#3e4c59", "muted": "#52606d",
            "line": "#cbd2d9", "notice_background": "#fff4ce"}
# Light backgrounds mixed into white from another colour, unless given: (name, mixed from, share)
TINTS = (("callout_background", "brand", 0.10), ("important_background", "important", 0.10),
         ("panel_background", "brand", 0.035))
# (text colour, background, what is written so): each pair must reach 4.5:1. The masthead's white
# text on the brand colour is the same pair as the brand colour on white.
PAIRS = (("brand", "white", "links and headings"), ("text", "white", "body text"),
         ("button_text", "accent", "button labels"), ("text", "callout_background", "text in callouts"),
         ("brand", "callout_background", "links and headings in callouts"),
         ("text", "important_background", "text in important callouts"),
         ("brand", "important_background", "links and headings in important callouts"),
         ("text", "panel_background", "text in shaded blocks"),
         ("brand", "panel_background", "links and headings in shaded blocks"))


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio between two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def mix(colour: str, other: str, share: float) -> str:
    """`share` of `colour` mixed into `other` (0: other, 1: colour), as #rrggbb."""
    return "#" + "".join(f"{round(int(colour[i:i + 2], 16) * share + int(other[i:i + 2], 16) * (1 - share)):02x}"
                         for i in (1, 3, 5))


def lighter(a: str, b: str) -> bool:
    return contrast_ratio(a, BLACK) > contrast_ratio(b, BLACK)


def passing(colour: str, toward: str, *against: str) -> str | None:
    """The shade of `colour` nearest to it, toward black or white (`toward` first), with 4.5:1
    against every colour given."""
    for target in (toward, BLACK if toward == WHITE else WHITE):
        for step in range(1, 21):
            shade = mix(target, colour, step / 20)
            if all(contrast_ratio(shade, other) >= MINIMUM + 0.05 for other in against):
                return shade
    return None


def _tint(base: str, share: float, *written_on_it: str) -> str:
    """`base` mixed into white, as faint as it must be for the colours written on it to stay readable."""
    for step in range(round(share * 400), 0, -1):
        tint = mix(base, WHITE, step / 400)
        if all(contrast_ratio(colour, tint) >= MINIMUM for colour in written_on_it):
            return tint
    return WHITE


def given_colours(record) -> dict[str, str]:
    """The colours publication.yaml sets itself (brand_color counts as colors.brand)."""
    colours = record.colors if isinstance(record.colors, Record) else Record()
    given = {name: colours.get(name) for name in colours.keys() if colours.get(name) is not None}
    return ({"brand": record.brand_color} if record.brand_color else {}) | given


def palette(record) -> Record:
    """Every colour the templates use: the ones given, the defaults, and tints derived from them."""
    colours = NEUTRALS | DEFAULTS | given_colours(record)
    colours.setdefault("accent", colours["brand"])
    for name, base, share in TINTS:
        colours.setdefault(name, _tint(colours[base], share, colours["text"], colours["brand"]))
    return Record(colours)


def _check_colours(record, colours: Record, report, key: str) -> None:
    """Every pair below 4.5:1, each once, blamed on the setting to change (the background if it was given)."""
    given = given_colours(record)
    names = {name: f"colors.{name}" for name in colours.keys()}
    names["white"] = "white"
    names["brand"] = "colors.brand" if record.colors is not None and record.colors.get("brand") else "brand_color"
    if record.brand_color and record.colors is not None and record.colors.get("brand"):
        report(join_key(key, "colors.brand"), "the brand colour is given twice, as brand_color and colors.brand",
               "keep one of them (brand_color is the older spelling of colors.brand)")
    seen, blamed_already = set(), set()
    for fg, bg, what in PAIRS:
        ratio = contrast_ratio(colours.get(fg), colours.get(bg))
        order = ("accent", "button_text", "brand") if bg == "accent" else (bg, fg, "brand")
        blamed = next(name for name in order if name in given or name == "brand")
        other = colours.get(bg) if blamed == fg else colours.get(fg)
        pair = (blamed, frozenset((colours.get(fg), colours.get(bg))))
        derived = (bg if blamed == fg else fg) not in given | NEUTRALS | DEFAULTS
        if ratio >= MINIMUM or pair in seen or (derived and blamed in blamed_already):
            continue
        seen.add(pair)
        blamed_already.add(blamed)
        against = [colours.get(f) for f, b, _ in PAIRS if b == blamed] or [other]
        toward = WHITE if lighter(colours.get(blamed), other) else BLACK
        better = passing(colours.get(blamed), toward, *against)
        if better:
            toward = WHITE if lighter(better, colours.get(blamed)) else BLACK
        report(join_key(key, names[blamed]),
               f"{names[fg]} {colours.get(fg)} on {names[bg]} {colours.get(bg)} ({what}) has contrast "
               f"{ratio:.1f}:1, below the 4.5:1 that people with low vision need",
               f"choose a {'lighter' if toward == WHITE else 'darker'} {names[blamed]}"
               + (f', e.g. "{better}"' if better else ""))


class _Settings(Schema):
    """The publication's schema; its record also carries `colors`, the whole palette (see palette())."""

    def validate(self, raw, key, report):
        record = super().validate(raw, key, report)
        if record is None:
            return None
        colours = palette(record)
        _check_colours(record, colours, report, key)
        return record.replace(brand_color=colours.brand, colors=colours)


SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


QUIET_HOURS = re.compile(r"([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d")


def _check(record, report, key):
    if record.slug is not None and not SLUG.fullmatch(record.slug):
        report("slug", f"'{record.slug}' cannot be part of a web address",
               "use lowercase letters, digits and dashes, e.g. equity")
    quiet = getattr(record, "quiet_hours", None)
    if quiet is not None and quiet != "none" and not QUIET_HOURS.fullmatch(quiet):
        report("quiet_hours", f"'{quiet}' is not a span of hours",
               "write it as HH:MM-HH:MM in 24-hour time, e.g. 21:00-07:00, or none")


SENDER = Schema({
    "name": Field(Text(translatable=False), required=True),
    "email": Field(Email(), required=True),
}, name="sender")

LOGO = Schema({
    "url": Field(Url(), required=True, help="a public https:// address of a PNG or JPEG"),
    "alt": Field(Text(), required=True, help="what the logo says, for screen readers and blocked images"),
    "width": Field(Integer(minimum=40, maximum=600), default=160),
}, name="logo")

COLORS = Schema({
    "brand": Field(Color(), help="masthead, headings, links, rules; default #1f4e79 (or brand_color)"),
    "accent": Field(Color(), help="buttons; default the brand colour"),
    "button_text": Field(Color(), help="the words on buttons; default white"),
    "text": Field(Color(), help="body text; default #1f2933"),
    "callout_background": Field(Color(), help="boxed announcements; default a light tint of the brand colour"),
    "important": Field(Color(), help="the bar beside 'important' callouts and the crisis line; default #b3261e"),
    "important_background": Field(Color(), help="'important' callouts; default a light tint of important"),
    "panel_background": Field(Color(), help="shaded blocks (community partners); default a faint tint of the brand"),
}, name="colors")

SCHEMA = _Settings({
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
                       "defaults to the publication's folder name in newsletters/"),
    "logo": Field(LOGO),
    "brand_color": Field(Color(), help="the publication's colour: masthead, headings, links, rules, buttons; "
                                       "default #1f4e79 (the older spelling of colors.brand)"),
    "colors": Field(COLORS, help="optional colours; what is not given is derived from the brand colour"),
    "footer": Field(Markdown(), help="a short paragraph about the office, in Markdown"),
    "timezone": Field(TimeZone(), default="America/New_York"),
    "languages": Field(ListOf(Language()), default=("en",), help="the languages this publication supports"),
    "fallback": Field(Choice(("english", "hold")), default="english",
                      help="what families get when an issue lacks their language: english, or hold (nothing "
                           "until it is translated)"),
    "default_subscribe": Field(Bool(), default=True,
                               help="true: every family on the roster gets it until they unsubscribe from it; "
                                    "false: only families imported with --publication <slug> or who opt in"),
    "machine": Field(MachinePolicyKind(), default=MachinePolicy(),
                     help="machine translations: send (with a banner saying so) or hold (until a reviewer "
                          "approves them), for every language or per language"),
    "machine_providers": Field(ProviderOrderKind(), default=DEFAULT_PROVIDERS,
                               help="machine-translation services in the order to try them, e.g. [deepl, google]: "
                                    "each language goes to the first that offers it"),
    "approval": Field(Choice(("none", "required", "two-person")), default="none",
                      help="before a send: none; required (a sender approves exactly the content that goes out); "
                           "two-person (and the approver is not the last editor)"),
    "quiet_hours": Field(Text(translatable=False, max_length=11), default="21:00-07:00",
                         help="when no scheduled send starts unless forced, in the publication's timezone, "
                              "e.g. 21:00-07:00, or none"),
}, name="publication settings", check=_check)
