"""An issue in one language: approved translations in, English where a block is not ready."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from blocks.model import Issue
from blocks.publication import SCHEMA as PUBLICATION_SCHEMA
from blocks.record import Record
from blocks.i18n import catalogs
from blocks.i18n.catalogs import APPROVED, DRAFT, MACHINE
from blocks.i18n.units import ISSUE_FIELDS, _MODULES, apply, block_units, issue_units, walk


def localize(issue: Issue, lang: str, drafts: bool = False) -> Issue:
    """The issue as families reading `lang` get it.

    A block is translated only when every text in it is approved, or machine-translated
    where the issue's policy sends machine translations for `lang` (or a draft or machine
    text, for previews with `drafts=True`); otherwise it stays in English and is marked
    with lang="en", so it is never half-translated. Subject, preheader and footer texts are
    translated one by one. Blocks in a machine translation are marked `machine`, and the
    issue `machine_text`, so the email says so.
    """
    if lang == issue.source_lang:
        return issue
    translations = catalogs.load(issue, lang)
    usable = _usable(issue, lang, drafts)
    used_machine = False

    def ready(unit) -> str | None:
        found = translations.get(unit.context)
        return found.text if found and found.status_for(unit.source) in usable else None

    def machine(unit) -> bool:
        found = translations.get(unit.context)
        return bool(found and found.status_for(unit.source) == MACHINE)

    blocks = []
    for block in issue.blocks:
        units = block_units(block)
        texts = {u.path: ready(u) for u in units}
        if all(texts.values()):
            schema = _MODULES[block.template].SCHEMA
            by_machine = any(machine(u) for u in units)
            used_machine = used_machine or by_machine
            blocks.append(replace(block, fields=apply(schema, block.fields, texts), machine=by_machine))
        else:
            blocks.append(replace(block, lang=issue.source_lang))
    top = {u.context: ready(u) for u in issue_units(issue)}
    used_machine = used_machine or any(machine(u) for u in issue_units(issue) if top[u.context])
    issue_texts = {name: top[f"issue.{name}"] or getattr(issue, name) for name in ISSUE_FIELDS}
    publication = localize_publication(issue.publication, issue.path.parent, lang, drafts, usable)
    english = tuple(context.split(".", 1)[1] if context.startswith("issue.") else context
                    for context, text in top.items() if not text)
    return replace(issue, blocks=tuple(blocks), publication=publication, machine_text=used_machine,
                   english_parts=english, **issue_texts)


def _usable(issue: Issue, lang: str, drafts: bool) -> set[str]:
    if drafts:
        return {APPROVED, DRAFT, MACHINE}
    return {APPROVED, MACHINE} if issue.machine.sends(lang) else {APPROVED}


def localize_publication(publication: Record, newsletters_dir: Path, lang: str, drafts: bool = False,
                         usable: set[str] | None = None) -> Record:
    """The publication settings (name, footer...) with their approved translations into `lang`
    (or those `usable` says: machine translations too where the policy sends them)."""
    stored = catalogs.read(newsletters_dir / "i18n" / f"{lang}.po")
    usable = usable or ({APPROVED, DRAFT} if drafts else {APPROVED})
    texts = {}
    for path, text, _kind in walk(PUBLICATION_SCHEMA, publication):
        found = stored.get(f"publication.{path}")
        if found and found.status_for(text) in usable:
            texts[path] = found.text
    return apply(PUBLICATION_SCHEMA, publication, texts) if texts else publication
