"""How ready each language is, and what a send would do for its families."""
from __future__ import annotations

from dataclasses import dataclass, field

from blocks.model import Issue
from blocks.i18n import catalogs
from blocks.i18n.catalogs import APPROVED, DRAFT, MISSING, STALE, STATUSES
from blocks.i18n.units import Unit, all_units

FULL, PARTIAL, HELD, ENGLISH = "full", "partial", "held", "english"
OUTCOME_TEXT = {
    FULL: "full: everything in this language",
    PARTIAL: "partial: untranslated blocks sent in English",
    HELD: "held: not sent to these families until approved",
    ENGLISH: "English edition (language not in this issue)",
}


@dataclass(frozen=True)
class OwnerStatus:
    owner: str           # block id, "issue" or "publication"
    status: str
    words: int
    ready_words: int


@dataclass(frozen=True)
class LanguageStatus:
    lang: str
    in_issue: bool
    owners: tuple[OwnerStatus, ...]
    outcome: str
    unit_status: dict = field(default_factory=dict, compare=False)   # context -> status

    def count(self, status: str) -> int:
        return sum(1 for o in self.owners if o.status == status)

    def owners_with(self, status: str) -> list[str]:
        return [o.owner for o in self.owners if o.status == status]

    @property
    def percent_ready(self) -> float:
        total = sum(o.words for o in self.owners)
        return 100.0 * sum(o.ready_words for o in self.owners) / total if total else 100.0


def unit_status(unit: Unit, translations: dict) -> str:
    found = translations.get(unit.context)
    return found.status_for(unit.source) if found else MISSING


def language_status(issue: Issue, lang: str, units: list[Unit] | None = None) -> LanguageStatus:
    units = units if units is not None else all_units(issue)
    if lang == issue.source_lang:
        owners = _owners(units, {u.context: APPROVED for u in units})
        return LanguageStatus(lang, True, owners, FULL, {u.context: APPROVED for u in units})
    translations = catalogs.load(issue, lang)
    statuses = {u.context: unit_status(u, translations) for u in units}
    owners = _owners(units, statuses)
    in_issue = lang in issue.languages
    complete = all(o.status == APPROVED for o in owners)
    if in_issue and complete:
        outcome = FULL
    elif issue.fallback == "hold":
        outcome = HELD
    else:
        outcome = PARTIAL if in_issue else ENGLISH
    return LanguageStatus(lang, in_issue, owners, outcome, statuses)


def _owners(units: list[Unit], statuses: dict[str, str]) -> tuple[OwnerStatus, ...]:
    grouped: dict[str, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(unit.owner, []).append(unit)
    result = []
    for owner, members in grouped.items():
        worst = max((statuses[u.context] for u in members), key=STATUSES.index)
        ready = sum(u.words for u in members if statuses[u.context] == APPROVED)
        result.append(OwnerStatus(owner, worst, sum(u.words for u in members), ready))
    return tuple(result)


def report_languages(issue: Issue) -> list[str]:
    """The issue's languages first, then the publication's other languages."""
    rest = [lang for lang in issue.publication.languages if lang not in issue.languages]
    return list(issue.languages) + rest


__all__ = ["APPROVED", "DRAFT", "STALE", "MISSING", "FULL", "PARTIAL", "HELD", "ENGLISH",
           "LanguageStatus", "language_status", "report_languages", "OUTCOME_TEXT"]
