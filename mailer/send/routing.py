"""Which edition each family gets: their language, the issue's fallback, or held."""
from __future__ import annotations

from blocks.i18n.status import HELD, language_status
from blocks.model import Issue


class Router:
    """Which edition each family gets: their language, the fallback, or held."""

    def __init__(self, issue: Issue):
        self.issue = issue
        self._cache: dict[str, str | None] = {}

    def edition(self, language: str) -> str | None:
        if language not in self._cache:
            match = self.matching(language)
            status = language_status(self.issue, match) if match else None
            if status is not None and status.outcome != HELD:
                self._cache[language] = match
            elif self.issue.fallback == "english" and match is None:
                self._cache[language] = self.issue.source_lang
            else:
                self._cache[language] = None
        return self._cache[language]

    def matching(self, language: str) -> str | None:
        """The issue's language for a family's: the same code, or the same base language
        ("zh" reads "zh_Hans", "es_MX" reads "es")."""
        if language in self.issue.languages:
            return language
        base = language.split("_")[0]
        return next((lang for lang in self.issue.languages if lang.split("_")[0] == base), None)
