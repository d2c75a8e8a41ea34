"""`translations machine`: fill an issue's missing and stale texts with machine drafts.

Per language (translated by the first provider of the publication's machine_providers that
offers it, blocks/i18n/machine/order.py, or by the one given): every text (subject, preheader,
blocks, library blocks, footer) that has no translation, or only a machine translation of
older English or by another provider, is sent once (identical English once per language;
texts already machine-translated by this provider are not sent again, so a rerun with nothing
changed costs nothing). Human work - approved,
draft, or stale - is never replaced. Each answer is checked like a PO import; an entry that
fails stays missing and is reported. Results are stored as fuzzy entries with a note naming
the provider (status `machine`), language by language and batch by batch, so a quota that
runs out keeps what was done. Languages no provider offers are reported and recorded
(newsletters/<publication>/<issue>/i18n/machine-run.json), never filled with English.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import polib

from blocks.model import Issue
from blocks.i18n import catalogs
from blocks.i18n.exchange import check_translation
from blocks.i18n.machine.provider import Provider
from blocks.i18n.machine.glossary import Glossary
from blocks.i18n.machine.markup import MarkupError, from_xml, to_xml
from blocks.i18n.machine.order import ProviderOrder
from blocks.i18n.status import RUN_RECORD
from blocks.i18n.units import Unit, all_units
from common.errors import NewsletterError

BATCH = 50


@dataclass
class LanguagePlan:
    lang: str
    offered: bool
    why_not: str = ""                                             # when not offered
    todo: list[Unit] = field(default_factory=list)                # texts to send
    reuse: dict[str, str] = field(default_factory=dict)           # context -> cached machine text (free)
    kept_human: list[str] = field(default_factory=list)           # stale human translations left alone
    characters: int = 0                                           # billable characters to send
    filled: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)   # (context, reason)
    billed: int = 0
    provider: Provider | None = None                              # who translates it (when offered)


def missing_languages(issue: Issue) -> list[str]:
    """The publication's languages this issue has no human edition in (`--all-missing`)."""
    declared = [lang for lang in issue.languages if lang not in issue.added_languages]
    return [lang for lang in issue.publication.languages if lang not in declared and lang != issue.source_lang]


def plan(issue: Issue, langs: list[str], providers: Provider | ProviderOrder,
         glossary: Glossary) -> list[LanguagePlan]:
    """What each language needs and which provider it goes to (one provider, or the first of an
    order that offers it); characters as that provider bills them."""
    order = providers if isinstance(providers, ProviderOrder) else ProviderOrder.of(providers)
    assigned = order.assign(langs)
    units = list({u.context: u for u in all_units(issue)}.values())
    plans = []
    for lang in langs:
        provider, why_not = assigned[lang]
        if provider is None:
            plans.append(LanguagePlan(lang, False, why_not))
            continue
        stored = catalogs.load(issue, lang)
        done = {t.source: t.text for t in stored.values() if t.machine == provider.label and t.text}
        item = LanguagePlan(lang, True, provider=provider)
        sources = set()
        for unit in units:
            found = stored.get(unit.context)
            current = found is not None and found.source == unit.source
            if found is not None and found.human:
                if not current:
                    item.kept_human.append(unit.context)
            elif current and found.machine == provider.label:
                continue
            elif unit.source in done:
                item.reuse[unit.context] = done[unit.source]
            else:
                item.todo.append(unit)
                if unit.source not in sources:
                    sources.add(unit.source)
                    item.characters += provider.billable(to_xml(unit.source, unit.markdown, glossary.keep))
        plans.append(item)
    return plans


def run(issue: Issue, plans: list[LanguagePlan], glossary: Glossary) -> list[LanguagePlan]:
    """Translate and store every plan's texts, each by its provider; returns the plans with what happened."""
    record_not_offered(issue, plans)
    for item in plans:
        if not item.offered:
            continue
        provider = item.provider
        entries = [_entry(u, item.reuse[u.context], provider) for u in _units_reused(issue, item)]
        sources = list(dict.fromkeys(u.source for u in item.todo))
        answers: dict[str, str] = {}
        try:
            for start in range(0, len(sources), BATCH):
                chunk = sources[start:start + BATCH]
                result = provider.translate([to_xml(s, _is_markdown(item, s), glossary.keep) for s in chunk],
                                            item.lang, glossary.for_lang(item.lang))
                answers.update(zip(chunk, result.texts))
                item.billed += result.billed
                entries += _checked(item, answers, chunk, provider)
        except NewsletterError as error:
            _store(issue, item.lang, entries, provider)
            done = ", ".join(f"{p.lang} {p.filled}" for p in plans[:plans.index(item) + 1] if p.offered)
            error.outcome = (f"texts stored before it stopped: {done}; the same command, run again, "
                             "translates only the rest")
            raise
        _store(issue, item.lang, entries, provider)
    return plans


def _units_reused(issue: Issue, item: LanguagePlan) -> list[Unit]:
    return [u for u in {u.context: u for u in all_units(issue)}.values() if u.context in item.reuse]


def _is_markdown(item: LanguagePlan, source: str) -> bool:
    return next(u.markdown for u in item.todo if u.source == source)


def _checked(item: LanguagePlan, answers: dict[str, str], chunk: list[str], provider: Provider) -> list:
    entries = []
    for unit in (u for u in item.todo if u.source in chunk):
        try:
            text = from_xml(answers[unit.source], unit.markdown)
        except MarkupError as e:
            item.failed.append((unit.context, str(e)))
            continue
        problems = check_translation(unit, unit.source, text) if text else [("the answer is empty", "")]
        if problems:
            item.failed.append((unit.context, "; ".join(message for message, _ in problems)))
            continue
        entries.append(_entry(unit, text, provider))
        item.filled += 1
    return entries


def _entry(unit: Unit, text: str, provider: Provider) -> polib.POEntry:
    return polib.POEntry(msgctxt=unit.context, msgid=unit.source, msgstr=text, flags=["fuzzy"],
                         tcomment=catalogs.MACHINE_NOTE.format(provider=provider.label), comment=unit.note,
                         occurrences=[(unit.location[0], str(unit.location[1] or ""))])


def _store(issue: Issue, lang: str, entries: list, provider: Provider) -> None:
    if entries:
        catalogs.store(issue, lang, entries, header_line=provider.header_note(lang))


def record_not_offered(issue: Issue, plans: list[LanguagePlan]) -> None:
    """Remember which languages no provider offers, so status and send --dry-run can say why."""
    path = Path(issue.path) / "i18n" / RUN_RECORD
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        record = {}
    gaps = record.get("not_offered", {})
    for item in plans:
        if item.offered:
            gaps.pop(item.lang, None)
        else:
            gaps[item.lang] = item.why_not
    record["not_offered"] = dict(sorted(gaps.items()))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temp, path)
