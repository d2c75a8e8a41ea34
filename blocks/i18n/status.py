"""How ready each language is, and what a send would do for its families (and why)."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale

from blocks.model import Issue
from blocks.i18n import catalogs
from blocks.i18n.catalogs import APPROVED, DRAFT, MACHINE, MISSING, STALE, STATUSES
from blocks.i18n.units import Unit, all_units

FULL, MACHINE_EDITION, PARTIAL, HELD, ENGLISH = "full", "machine", "partial", "held", "english"
OUTCOME_TEXT = {
    FULL: "full: everything in this language",
    MACHINE_EDITION: "machine: machine-translated, sent with a banner",
    PARTIAL: "partial: untranslated blocks sent in English",
    HELD: "held: not sent to these families until approved",
    ENGLISH: "English edition (language not in this issue)",
}
RUN_RECORD = "machine-run.json"      # in newsletters/<publication>/<issue>/i18n/: languages a provider does not offer


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
    reason: str = ""     # why families of this language get what they get, in a few words
    providers: tuple[str, ...] = ()   # who made its machine translations, e.g. "deepl"

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
        return LanguageStatus(lang, True, owners, FULL, {u.context: APPROVED for u in units}, "the original")
    translations = catalogs.load(issue, lang)
    statuses = {u.context: unit_status(u, translations) for u in units}
    owners = _owners(units, statuses)
    in_issue = lang in issue.languages
    outcome, reason = _outcome(issue, lang, in_issue, owners)
    providers = tuple(sorted({t.machine for t in translations.values() if t.machine}))
    return LanguageStatus(lang, in_issue, owners, outcome, statuses, reason, providers)


def local_providers(status: LanguageStatus) -> list[str]:
    """Machine translations made by a server on this machine (e.g. the test stub): never for families."""
    return [p for p in status.providers if p.split("@", 1)[-1].split(":")[0] in ("127.0.0.1", "localhost", "[::1]")]


def local_provider_warning(statuses: list[LanguageStatus]) -> str:
    langs = [s.lang for s in statuses if local_providers(s)]
    found = sorted({p for s in statuses for p in local_providers(s)})
    return (f"warning: machine translations in {', '.join(langs)} were made by {', '.join(found)}, a server on this "
            "machine, not the real service (the test stub's are pseudo-translations): never send them to families; "
            "run translations machine against the real service first") if langs else ""


def _outcome(issue: Issue, lang: str, in_issue: bool, owners) -> tuple[str, str]:
    sends_machine = issue.machine.sends(lang)
    usable = {APPROVED, MACHINE} if sends_machine else {APPROVED}
    blocks = [o for o in owners if o.owner not in ("issue", "publication")]
    ready = [o for o in owners if o.status in usable]
    machine = [o for o in owners if o.status == MACHINE]
    held_machine = bool(machine) and not sends_machine
    hold = issue.fallback == "hold"
    if in_issue and len(ready) == len(owners):
        if machine:
            return MACHINE_EDITION, f"machine translation, sent with a banner (machine: send for {lang})"
        return FULL, "translated and approved by people"
    added_only = lang in issue.added_languages and not any(o in ready for o in blocks)
    if not in_issue or added_only:         # nothing to read in this language: the English edition
        why = provider_gap(issue, lang) or ("machine translation held for review (machine: hold)" if held_machine
                                            else "no translation of this issue in this language")
        return (HELD, why + "; fallback: hold") if hold else (ENGLISH, why)
    english = len(blocks) - sum(1 for o in blocks if o in ready)
    why = f"{english} of {len(blocks)} sections not yet translated" + \
          ("; machine translation held for review" if held_machine else "")
    if hold:
        return HELD, why + "; fallback: hold"
    return (MACHINE_EDITION if machine and sends_machine else PARTIAL), why + ", sent in English"


def provider_gap(issue: Issue, lang: str) -> str:
    """What the last machine-translation run said about `lang`, e.g. that DeepL does not offer it."""
    path = Path(issue.path) / "i18n" / RUN_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ""
    return record.get("not_offered", {}).get(lang, "")


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


def language_name(lang: str) -> str:
    return Locale.parse(lang).get_display_name("en")


__all__ = ["APPROVED", "DRAFT", "MACHINE", "STALE", "MISSING", "FULL", "MACHINE_EDITION", "PARTIAL", "HELD",
           "ENGLISH", "LanguageStatus", "language_status", "report_languages", "OUTCOME_TEXT", "provider_gap"]
