"""Which edition each family gets, and why: their language (translated by people, by a machine
where the publication's `machine:` policy sends it, or partly), the issue's fallback, or held."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from babel import Locale
from babel.core import get_global, parse_locale

from blocks.i18n.status import ENGLISH, FULL, HELD, MACHINE_EDITION, PARTIAL, language_status, provider_gap
from blocks.model import Issue

HUMAN, MACHINE, MIXED, FALLBACK, HOLD = "human", "machine", "partial", "fallback", "held"
KIND_TEXT = {HUMAN: "human edition", MACHINE: "machine edition", MIXED: "partial edition",
             FALLBACK: "English fallback", HOLD: "held"}
_KINDS = {FULL: HUMAN, MACHINE_EDITION: MACHINE, PARTIAL: MIXED, HELD: HOLD}


@dataclass(frozen=True)
class Route:
    edition: str | None      # the language of the email the family gets; None while held
    kind: str                # human, machine, partial, fallback or held
    reason: str              # why, in a few words (for send --dry-run)


class Router:
    """Which edition each family gets: their language, the fallback, or held."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self._cache: dict[str, Route] = {}

    def edition(self, language: str) -> str | None:
        return self.route(language).edition

    def route(self, language: str) -> Route:
        if language not in self._cache:
            self._cache[language] = self._route(language)
        return self._cache[language]

    def _route(self, language: str) -> Route:
        issue = self.issue
        match = self.matching(language)
        if match == issue.source_lang:
            return Route(match, HUMAN, "the original")
        if match is None:
            why = provider_gap(issue, language) or provider_gap(issue, language.split("_")[0]) or \
                "no translation of this issue in this language"
            return self._fallback(why)
        status = language_status(issue, match)
        if status.outcome == ENGLISH:
            return self._fallback(status.reason)
        kind = _KINDS[status.outcome]
        return Route(None if kind == HOLD else match, kind, status.reason + _other_script(language, match))

    def _fallback(self, why: str) -> Route:
        if self.issue.fallback == "english":
            return Route(self.issue.source_lang, FALLBACK, why)
        return Route(None, HOLD, why + "; fallback: hold")

    def matching(self, language: str) -> str | None:
        """The issue's language for a family's: the same code, else the same base language, in
        the family's script where the issue has it ("zh_TW" reads "zh_Hant", "zh" reads
        "zh_Hans", "es_MX" reads "es"); a Traditional Chinese family gets Simplified only when
        the issue has no Traditional edition (and the dry run says so)."""
        return matching_language(language, self.issue.languages)


def matching_language(language: str, offered) -> str | None:
    """The one rule for which of `offered` serves a family's stored language (Router.matching's,
    also the preference pages' and their language menu's, family_web/pages.py): the same code,
    else the same base language, in the family's script where one is offered ("zh" -> "zh_Hans",
    "zh_TW" -> "zh_Hant", "es_MX" -> "es"); None when no language of that base is offered."""
    if language in offered:
        return language
    base = language.split("_")[0]
    same = [lang for lang in offered if lang.split("_")[0] == base]
    script = script_of(language)
    return next((lang for lang in same if script_of(lang) == script), same[0] if same else None)


@lru_cache(maxsize=None)
def script_of(code: str) -> str | None:
    """The script a language is written in: given (zh_Hant), implied by its region (zh_TW: Hant)
    or the language's usual one (zh: Hans, sr: Cyrl, ar: Arab); None if Babel does not know it."""
    try:
        language, territory, script, _ = parse_locale(code)
    except ValueError:
        return None
    if script:
        return script
    likely = get_global("likely_subtags")
    found = likely.get(f"{language}_{territory}" if territory else language) or likely.get(language)
    return parse_locale(found)[2] if found else None


def _other_script(language: str, edition: str) -> str:
    """For the dry run's reason: the edition is written in another script than the family reads."""
    theirs, ours = script_of(language), script_of(edition)
    if theirs is None or ours is None or theirs == ours:
        return ""
    names = Locale.parse("en").scripts
    return (f"; written in {names.get(ours, ours)} script, these families read {names.get(theirs, theirs)}: "
            f"add {language} to the publication's languages")
