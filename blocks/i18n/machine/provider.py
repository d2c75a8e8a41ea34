"""The interface every machine-translation provider implements (one module per provider).

A provider says which of our languages (Babel codes: vi, zh_Hans, pt...) it offers, and
translates a list of XML-tagged English texts (blocks/i18n/machine/markup.py) into one of
them, keeping tags and the content of <x> as they are. It raises:

    ConfigError      a missing or refused key, or a wrong server setting (names the setting)
    TransientError   busy (429) or down (5xx, unreachable) after its retries: run again later
    ProviderError    the provider refused for a reason retrying won't fix (quota exceeded: 456)

Adding LibreTranslate (self-hosted) or another service is a module like deepl.py or google.py
with a class like this one, and one line in PROVIDERS (blocks/i18n/machine/__init__.py);
publications list the ones they use, in order (machine_providers, blocks/i18n/machine/order.py).
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from babel import Locale
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt

from blocks.i18n.machine.markup import billable
from common.errors import TransientError


T = TypeVar("T")


def with_retries(attempt: Callable[[], T], delays: Sequence[float], sleep: Callable[[float], None]) -> T:
    """`attempt()`, tried again after each of `delays` (seconds) while it raises TransientError
    (the provider busy or unreachable); the last TransientError as it was. Other errors (a
    refused key, a spent quota) are not retried. Tenacity, as the mail backends' policy."""
    retrying = Retrying(retry=retry_if_exception_type(TransientError), stop=stop_after_attempt(len(delays) + 1),
                        wait=lambda state: delays[min(state.attempt_number, len(delays)) - 1] if delays else 0,
                        sleep=sleep, reraise=True)     # (tenacity asks the wait before it stops)
    return retrying(attempt)


@dataclass(frozen=True)
class Translated:
    texts: list[str]     # one translation per text sent, in the same order
    billed: int          # characters the provider counted


class Provider(ABC):
    name = ""            # as given to --provider, e.g. "deepl"
    display_name = ""    # for people, e.g. "DeepL"

    @property
    def label(self) -> str:
        """What PO files record as the translation's maker (a test server is named by its address,
        so its output is never mistaken for the real service's)."""
        return self.name

    @abstractmethod
    def offered(self, lang: str) -> str | None:
        """The provider's code for our language `lang`, or None if it does not translate into it."""

    @abstractmethod
    def translate(self, texts: list[str], lang: str, glossary: dict[str, str]) -> Translated:
        """Translate English XML-tagged `texts` into `lang`; `glossary` maps English names to
        the translation staff chose for them in `lang`."""

    def billable(self, xml_text: str) -> int:
        """Characters this provider bills for one text as markup.to_xml makes it (DeepL: the
        text outside the tags)."""
        return billable(xml_text)

    def not_offered(self, lang: str) -> str:
        """Why `lang` cannot be machine-translated, for the people reading the report."""
        return f"{self.display_name} does not offer {Locale.parse(lang).get_display_name('en')}"

    def header_note(self, lang: str) -> str:
        """A line for the PO header of catalogs this provider wrote into."""
        return (f"Holds machine translations by {self.label} (entries noted 'machine translation by ...'): "
                "unreviewed until a reviewer clears their fuzzy flag.")

    def notes(self) -> list[str]:
        """Anything the run should tell staff (e.g. a glossary the provider could not use)."""
        return []
