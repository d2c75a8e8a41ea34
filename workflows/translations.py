"""Translations as workflows: status per language, a PO file to send a translator, storing one
back, and machine drafts (plan with the characters billed, then run). What `translations ...`
and the studio's review pages call."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.errors import NewsletterError
from common.settings import Settings
from common.yaml_source import display_path


def _issue(settings: Settings, issue_dir: Path):
    from blocks.loader import load_issue
    return load_issue(issue_dir, library_dir=settings.library)


def status(settings: Settings, issue_dir: Path):
    """(the issue, [LanguageStatus per language the issue reports on]): approved, machine, draft,
    stale, missing per block, and what a send would do (blocks.i18n.status)."""
    from blocks.i18n.status import language_status, report_languages
    issue = _issue(settings, issue_dir)
    return issue, [language_status(issue, lang) for lang in report_languages(issue)]


def export(settings: Settings, issue_dir: Path, lang: str):
    """(the issue, a polib PO file with every text of the issue in `lang`, for a translator)."""
    from blocks.i18n.exchange import export as export_po
    issue = _issue(settings, issue_dir)
    lang = lang.replace("-", "_")
    if lang not in issue.publication.languages or lang == issue.source_lang:
        raise NewsletterError(f"'{lang}' is not one of the publication's translation languages "
                              f"({', '.join(l for l in issue.publication.languages if l != issue.source_lang)})",
                              f"add it to languages in {display_path(issue.path.parent / 'publication.yaml')} first")
    return issue, export_po(issue, lang)


def store(settings: Settings, po_file: Path, issue_dir: Path | None = None, find_issue=None):
    """Check a translated PO file and store it (fuzzy entries stay drafts): the import report.
    Without `issue_dir`, `find_issue(name)` finds the folder of the issue the PO header names."""
    from blocks.i18n.exchange import import_po, read_po
    try:
        po, lang, key = read_po(po_file)
        if issue_dir is None:
            issue_dir = find_issue(key)
        return import_po(_issue(settings, issue_dir), po, lang, po_file)
    except NewsletterError as e:
        e.outcome = "nothing was stored"
        raise


@dataclass
class MachineRun:
    """A machine-translation run: the issue, each language's plan (what is sent, to which
    provider, characters billed), the providers in order; `done` once run."""
    issue: object
    plans: list
    order: object
    done: bool = False


def machine_plan(settings: Settings, issue_dir: Path, langs: list[str], provider: str | None = None) -> MachineRun:
    """What a machine run would send for `langs` (a dry run: nothing is sent, the cost is known)."""
    from blocks.i18n.machine.glossary import load_glossary
    from blocks.i18n.machine.order import ProviderOrder
    from blocks.i18n.machine.run import plan

    issue = _issue(settings, issue_dir)
    names = (provider,) if provider else issue.publication.get("machine_providers") or ProviderOrder().names
    order = ProviderOrder(names, settings=settings, publication=issue.publication.name)
    return MachineRun(issue, plan(issue, langs, order, load_glossary(issue.path.parent)), order)


def machine_run(machine: MachineRun) -> MachineRun:
    """Translate as planned and store the drafts (status machine) in the issue's and library's PO files."""
    from blocks.i18n.machine.glossary import load_glossary
    from blocks.i18n.machine.run import run
    run(machine.issue, machine.plans, load_glossary(machine.issue.path.parent))
    machine.done = True
    return machine


def missing_languages(settings: Settings, issue_dir: Path) -> list[str]:
    """Every publication language the issue has no human edition in."""
    from blocks.i18n.machine.run import missing_languages as missing
    return missing(_issue(settings, issue_dir))
