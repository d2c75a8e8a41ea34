"""Which edition each family gets, and why: their language (translated by people, by a machine
where the publication's `machine:` policy sends it, or partly), the issue's fallback, or held."""
from __future__ import annotations

from dataclasses import dataclass

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
        return Route(None if kind == HOLD else match, kind, status.reason)

    def _fallback(self, why: str) -> Route:
        if self.issue.fallback == "english":
            return Route(self.issue.source_lang, FALLBACK, why)
        return Route(None, HOLD, why + "; fallback: hold")

    def matching(self, language: str) -> str | None:
        """The issue's language for a family's: the same code, or the same base language
        ("zh" reads "zh_Hans", "es_MX" reads "es")."""
        if language in self.issue.languages:
            return language
        base = language.split("_")[0]
        return next((lang for lang in self.issue.languages if lang.split("_")[0] == base), None)
