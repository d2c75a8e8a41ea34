"""Page language and wording: the reader's language, with the same catalogs as the emails."""
from __future__ import annotations

from dataclasses import dataclass

from babel import Locale

from blocks.i18n import chrome

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


def page_language(code: str, supported: tuple[str, ...]) -> PageLanguage:
    """The page's language: `code` when the publication supports it, else English."""
    code = code if code in supported else "en"
    locale = Locale.parse(code)
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return PageLanguage(code, direction, chrome.translations(code).gettext)


def language_choices(supported: tuple[str, ...]) -> list[tuple[str, str]]:
    """(code, name in that language), e.g. ("es", "español"), for the switcher and the form."""
    return [(code, Locale.parse(code).get_display_name(code)) for code in supported]
