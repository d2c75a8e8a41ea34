"""Page language and wording (the reader's language, with the same catalogs as the emails), and
`Center`, what every page of one preference center needs to render itself."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from babel import Locale
from flask import render_template, request
from itsdangerous import BadSignature, TimestampSigner
from jinja2 import StrictUndefined
from markupsafe import Markup, escape

from blocks import rtl
from blocks.i18n import chrome
from blocks.content_tree import FILE_NAME, publication_folders
from common.errors import NewsletterError
from mailer.send.routing import matching_language

N_ = lambda text: text  # noqa: E731 - marks strings for extraction; translated at display time

TOPIC_LABELS = {
    "events": N_("Events, workshops and family nights"),
    "foodshare": N_("Foodshare food distributions"),
    "mental-health": N_("Mental health resources"),
    "nutrition": N_("School meals and nutrition"),
    "announcements": N_("District announcements"),
    "resources": N_("Community resources and partners"),
}


@dataclass(frozen=True)
class PageLanguage:
    code: str
    direction: str
    gettext: object

    @property
    def html_lang(self) -> str:
        return self.code.replace("_", "-")


def serving_language(code: str, supported) -> str:
    """Which of `supported` serves a family whose stored language is `code`: the send's rule
    (mailer.send.routing.matching_language: "zh" -> "zh_Hans"), else English (the fallback
    edition), else the first. The pages, their language menu and the emails agree on it."""
    fallback = "en" if "en" in supported or not supported else supported[0]
    return matching_language(code or "", supported) or fallback


def page_language(code: str, supported: tuple[str, ...], library: Path | None = None) -> PageLanguage:
    """The page's language: the one of `supported` that serves `code` (serving_language), its
    strings with the district's reviewed ones of `library` (chrome.translations)."""
    code = serving_language(code, supported)
    locale = Locale.parse(code)
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return PageLanguage(code, direction, chrome.translations(code, library).gettext)


def bidi(text: str, direction: str) -> Markup:
    """A name on a page (the `bidi` filter): on a right-to-left page, its runs of Latin text such
    as "(Office of Equity Advancement)" read left to right as one unit (rtl.isolate_latin_in),
    instead of their words and brackets being scrambled where the line wraps."""
    escaped = escape(text)
    return Markup(rtl.isolate_latin_in(str(escaped))) if direction == "rtl" else escaped


def with_name(message: str, name: str, direction: str) -> Markup:
    """A translated sentence with %(name)s (the `with_name` filter), the name as `bidi` shows it."""
    return Markup(escape(message)) % {"name": bidi(name, direction)}


def set_up_templates(app) -> None:
    """What every app rendering these templates needs: strict variables, the bidi filters
    (the preference center's, and publish --to's for a static host)."""
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.filters.update(bidi=bidi, with_name=with_name)


def language_choices(supported: tuple[str, ...]) -> list[tuple[str, str]]:
    """(code, name in that language), e.g. ("es", "español"), for the switcher and the form."""
    return [(code, Locale.parse(code).get_display_name(code)) for code in supported]


CSRF_MAX_AGE = 6 * 3600


@dataclass
class Center:
    """What every page of one publication needs: the store, the signer, the publication. One
    preference center serves every publication of newsletters/: `of(slug)` is another's."""

    store: object
    signer: object
    publication: object
    audiences: object
    demo: bool
    localized: dict            # language code -> the publication with its name and footer in that language
    everyone: dict = field(default_factory=dict)    # slug -> Center, every publication's (this one's too)
    library: Path | None = None    # the library: its chrome/ holds the district's reviewed page strings

    @property
    def all(self) -> dict:
        """slug -> Center of every publication this app serves (as newsletters/ is now: see Centers)."""
        everyone = self.everyone.current() if isinstance(self.everyone, Centers) else self.everyone
        return everyone or {self.publication.slug: self}

    def of(self, slug: str) -> "Center | None":
        return self.all.get(slug)

    @property
    def slug(self) -> str:
        return self.publication.slug

    @property
    def supported(self) -> tuple[str, ...]:
        return tuple(self.publication.languages)

    def _csrf(self) -> TimestampSigner:
        return TimestampSigner(self.signer.keys, salt="newsletter-preferences-form")

    def csrf_token(self, subscriber_id: int) -> str:
        return self._csrf().sign(str(subscriber_id)).decode()

    def csrf_ok(self, token: str, subscriber_id: int) -> bool:
        """Whether a form's anti-forgery token is this family's and less than six hours old."""
        try:
            return self._csrf().unsign(token, max_age=CSRF_MAX_AGE).decode() == str(subscriber_id)
        except (BadSignature, UnicodeDecodeError):
            return False

    def render(self, template: str, code: str, status: int, **values):
        lang = page_language(code, self.supported, self.library)
        return render_template(template, _=lang.gettext, lang=lang, publication=self.localized[lang.code],
                               **values), status

    def email_language(self, subscriber) -> str:
        """The language of the family's emails among this publication's (what its menu shows chosen)."""
        return serving_language(subscriber.language, self.supported)

    def family_page(self, template: str, subscriber, status: int = 200, **values):
        """A page for one family: in the language they chose (or ?lang=), with the switcher."""
        return self.render(template, request.args.get("lang") or subscriber.language, status,
                           languages=language_choices(self.supported), subscriber=subscriber,
                           email_language=self.email_language(subscriber), **values)

    def error_page(self, template: str, status: int, **values):
        """A page for whoever came (no family known): in ?lang= or English, without the switcher."""
        return self.render(template, request.args.get("lang", "en"), status, languages=[], **values)


log = logging.getLogger(__name__)


class Centers:
    """Every publication's Center, as newsletters/ is now: `current()` reads the publications again
    when a publication.yaml or a publication's translations (i18n/*.po) was added, changed or
    removed since the last request (a cache keyed by their paths, sizes and modification times),
    so an office added while the preference center runs is served without a restart, and a removed
    one is no longer. If the files do not load (a half-saved edit), the last good ones are kept."""

    def __init__(self, newsletters_dir: Path, build: Callable[[dict], dict]):
        self.newsletters_dir, self.build = Path(newsletters_dir), build
        self._lock = threading.Lock()
        self._state: tuple | None = None
        self._centers: dict = {}

    def state(self) -> tuple:
        files = []
        for folder in publication_folders(self.newsletters_dir):
            files += [folder / FILE_NAME, *sorted((folder / "i18n").glob("*.po"))]
        found = []
        for path in files:
            try:
                stat = path.stat()
            except OSError:                   # removed between the listing and now
                continue
            found.append((str(path), stat.st_mtime_ns, stat.st_size))
        return tuple(found)

    def current(self) -> dict:
        """slug -> Center, first publication first."""
        state = self.state()
        with self._lock:
            if state != self._state:
                from blocks.loader import load_publications
                try:
                    centers = self.build(load_publications(self.newsletters_dir))
                except NewsletterError as e:
                    if not self._centers:
                        raise
                    log.warning("newsletters/ does not load (%s); the publications as they were are served", e)
                    centers = None
                if centers is not None:
                    if centers or not self._centers:
                        self._centers = centers
                    else:
                        log.warning("no publication in %s any more; the last ones found are served",
                                    self.newsletters_dir)
                self._state = state
            return self._centers

    def first(self) -> "Center":
        """The first publication's Center (pages about no publication: errors)."""
        return next(iter(self.current().values()))


def neutral_center(first: Center) -> Center:
    """A Center for pages about no publication of this app (a link to a newsletter that no
    longer exists): the organization's name in the header, no office's name, colour or footer."""
    organization = first.publication.get("organization") or ""
    plain = SimpleNamespace(name=organization, organization=None, brand_color="#1f2933")
    supported = ("en", *[code for code in chrome.available() if code != "en"])
    stand_in = SimpleNamespace(languages=supported, slug="", name=organization)
    return Center(first.store, first.signer, stand_in, first.audiences, first.demo,
                  {code: plain for code in supported}, library=first.library)
