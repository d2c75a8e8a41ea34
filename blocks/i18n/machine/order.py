"""Which provider translates which language: `machine_providers` in publication.yaml.

    machine_providers: [deepl, google]     # each language goes to the first that offers it

The default is [deepl]. `translations machine --provider NAME` uses that one alone. A language
none of them offers is reported (and recorded for status and send --dry-run), never filled with
English. Providers are made only when needed, so a key is asked for only if a language needs
that provider (DeepL's key for Vietnamese; Google's only for what DeepL lacks).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Callable

from babel import Locale

from blocks.i18n.machine.provider import Provider
from blocks.kinds import Kind, describe
from common.errors import ConfigError
from common.problems import FieldError

DEFAULT = ("deepl",)


def known() -> tuple[str, ...]:
    from blocks.i18n.machine import PROVIDERS
    return PROVIDERS


@dataclass(frozen=True)
class ProviderOrderKind(Kind):
    """A list of provider names (one name alone is a list of one), each known and listed once."""

    def clean(self, value) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not items:
            raise FieldError(f"expected a list of machine-translation providers, got {describe(value)}",
                             f"write e.g. [deepl, google]; known providers: {', '.join(known())}")
        names = []
        for item in items:
            name = str(item).strip().lower() if isinstance(item, str) else ""
            if name not in known():
                close = difflib.get_close_matches(name, known(), n=1)
                raise FieldError(f"unknown machine-translation provider {describe(item)}",
                                 (f"did you mean '{close[0]}'? " if close else "") +
                                 f"known providers: {', '.join(known())}")
            if name in names:
                raise FieldError(f"'{name}' is listed twice", "list each provider once, in the order to try them")
            names.append(name)
        return tuple(names)


class ProviderOrder:
    """The providers a run may use, in order: `assign(langs)` gives each the first that offers it."""

    def __init__(self, names: tuple[str, ...] = DEFAULT, make: Callable[..., Provider] | None = None, **options):
        from blocks.i18n.machine import get_provider
        self.names, self._make, self._options = tuple(names), make or get_provider, options
        self._made: dict[str, Provider] = {}
        self._needed: list[str] = []         # languages the providers before lack, for a missing key's hint

    @classmethod
    def of(cls, *providers: Provider) -> "ProviderOrder":
        """An order of providers already made (tests, or one given on the command line)."""
        order = cls(tuple(p.name for p in providers))
        order._made = {p.name: p for p in providers}
        return order

    @property
    def used(self) -> list[Provider]:
        """The providers made so far (those the run's languages needed), in order."""
        return [self._made[name] for name in self.names if name in self._made]

    @property
    def display_name(self) -> str:
        return ", then ".join(p.display_name for p in self.used) or ", then ".join(self.names)

    def provider(self, name: str) -> Provider:
        if name not in self._made:
            try:
                self._made[name] = self._make(name, **self._options)
            except ConfigError as e:
                if not self._needed or name == self.names[0]:
                    raise
                langs = ", ".join(Locale.parse(lang).get_display_name("en") for lang in self._needed)
                before, them = " or ".join(p.display_name for p in self._made.values()), "it" if len(self._needed) == 1 else "them"
                raise ConfigError(e.setting, e.problems[0].message,
                                  f"{e.problems[0].hint}. It is needed for {langs} ({before} does not offer {them}); "
                                  f"or leave {them} on the fallback: --provider {self.names[0]}",
                                  outcome=e.outcome) from None
        return self._made[name]

    def assign(self, langs: list[str]) -> dict[str, tuple[Provider | None, str]]:
        """Each language's provider (the first in order offering it), or None and why none does."""
        left, asked, chosen = list(langs), [], {}
        for name in self.names:
            if not left:
                break                                  # a later provider is not needed: not made
            self._needed = list(left) if asked else []
            provider = self.provider(name)
            asked.append(provider)
            for lang in list(left):
                if provider.offered(lang) is not None:
                    chosen[lang] = (provider, "")
                    left.remove(lang)
        return {lang: chosen.get(lang) or (None, _why_not(lang, asked)) for lang in langs}

    def notes(self) -> list[str]:
        return [note for provider in self.used for note in provider.notes()]


def _why_not(lang: str, asked: list[Provider]) -> str:
    if len(asked) == 1:
        return asked[0].not_offered(lang)
    names, language = [p.display_name for p in asked], Locale.parse(lang).get_display_name("en")
    if len(names) == 2:
        return f"neither {names[0]} nor {names[1]} offers {language}"
    return f"none of {', '.join(names)} offers {language}"
