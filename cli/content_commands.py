"""Commands for the content side: check, build, translations (registered by compose.py): the
command line's face of workflows.content and workflows.translations."""
from __future__ import annotations

from pathlib import Path

import click

from blocks.build import GMAIL_CLIP_WARNING
from cli.run_settings import settings_of
from common.errors import NewsletterError
from blocks.i18n import chrome
from blocks.i18n.exchange import export
from blocks.i18n.machine import PROVIDERS
from blocks.i18n.status import OUTCOME_TEXT, language_name, local_provider_warning
from blocks.loader import load_issue
from blocks.content_tree import find_issue
from common.yaml_source import display_path
from workflows import content
from workflows import translations as translations_core

ISSUE_DIR = click.Path(path_type=Path)




def _print_summary(summaries) -> None:
    click.echo(f"{'lang':<8} {'HTML':>7} {'text':>7}  {'translation':<48} subject")
    for s in summaries:
        click.echo(f"{s.lang:<8} {s.html_bytes / 1024:>5.1f}KB {s.text_bytes / 1024:>5.1f}KB  "
                   f"{OUTCOME_TEXT[s.outcome]:<48} {s.subject}")
    if local_provider_warning([s.status for s in summaries]):
        click.echo(local_provider_warning([s.status for s in summaries]), err=True)
    for s in summaries:
        if s.too_big:
            click.echo(f"warning: {s.lang}.html is {s.html_bytes / 1024:.0f} KB, over "
                       f"{GMAIL_CLIP_WARNING // 1024} KB: Gmail clips messages near 102 KB and hides the footer "
                       "with the unsubscribe link. Shorten the issue or move blocks to the next one.", err=True)


@click.command()
@click.argument("issue_dir", type=ISSUE_DIR)
def check(issue_dir: Path):
    """Check an issue folder and list every problem, with file, line and key.

    Exits 0 when the issue is ready to build, 1 when anything needs fixing.
    """
    checked = content.check(settings_of(), issue_dir)
    issue = checked.issue
    click.echo(f"{issue_dir}: {len(issue.blocks)} blocks, languages {', '.join(issue.languages)}: no problems.")
    _print_summary(checked.languages)


@click.command()
@click.argument("issue_dir", type=ISSUE_DIR)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: build/<publication>/<issue>/).")
@click.option("--drafts", is_flag=True, help="Show draft translations in the previews (families never get drafts).")
def build(issue_dir: Path, out_dir: Path | None, drafts: bool):
    """Build previews of an issue: HTML and text per language, calendar files, index.html."""
    _issue, out_dir, summaries = content.build(settings_of(), issue_dir, out_dir, drafts=drafts)
    _print_summary(summaries)
    click.echo(f"\nWrote {out_dir}/ - open {out_dir / 'index.html'} to compare the languages side by side.")


@click.group()
def translations():
    """Translate issues: export PO files for translators, import them, see what is ready."""


@translations.command("export")
@click.argument("issue_dir", type=ISSUE_DIR)
@click.option("--lang", required=True, help="Language code, e.g. es, pt, ar.")
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="PO file to write (default: <publication>-<issue>-<lang>.po in the current folder).")
@click.option("--force", is_flag=True, help="Replace the PO file if it exists.")
def export_command(issue_dir: Path, lang: str, out_file: Path | None, force: bool):
    """Write a PO file with every text of the issue, for Poedit, Weblate or Crowdin."""
    issue = load_issue(issue_dir, library_dir=settings_of().library)
    lang = lang.replace("-", "_")
    if lang not in issue.publication.languages or lang == issue.source_lang:
        raise NewsletterError(f"'{lang}' is not one of the publication's translation languages "
                              f"({', '.join(l for l in issue.publication.languages if l != issue.source_lang)})",
                              f"add it to languages in {display_path(issue.path.parent / 'publication.yaml')} first")
    po = export(issue, lang)
    # named with the publication: two offices' issues of the same name are two files
    out_file = out_file or Path(f"{issue.key.replace('/', '-')}-{lang}.po")
    if out_file.exists() and not force:
        raise NewsletterError(f"{out_file} exists (perhaps a translator's work not yet imported)",
                              f"import it first (python compose.py translations import {out_file}), or give "
                              "--force to replace it, or --out another file")
    po.save(str(out_file))
    todo = sum(1 for e in po if not e.msgstr or e.fuzzy)
    click.echo(f"Wrote {out_file}: {len(po)} texts, {todo} to translate or review. "
               f"Send it to the translator, then: python compose.py translations import {out_file}")


def _issue_named(name: str | None) -> Path:
    """The folder of the issue a PO header names ("equity/2021-09-sept-oct", or a bare issue name)."""
    if not name:
        raise click.UsageError("the PO file does not name its issue; give --issue newsletters/<publication>/<issue>")
    found = find_issue(name)
    if len(found) != 1:
        where = ", ".join(str(f) for f in found) if found else "no folder of that name in newsletters/<publication>/"
        raise click.UsageError(f"the PO file names issue '{name}': {where}; give --issue newsletters/<publication>/<issue>")
    return found[0]


@translations.command("import")
@click.argument("po_file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--issue", "issue_dir", type=ISSUE_DIR, default=None,
              help="Issue folder (default: the issue the PO header names, found in newsletters/<publication>/).")
def import_command(po_file: Path, issue_dir: Path | None):
    """Check a translated PO file and store it; fuzzy entries stay drafts."""
    report = translations_core.store(settings_of(), po_file, issue_dir, find_issue=_issue_named)
    lang = report.lang
    click.echo(f"Stored {lang} for {report.issue}: {report.approved} approved, {report.drafts} drafts, "
               f"{report.untranslated} left untranslated.")
    if report.older_english:
        click.echo(f"{len(report.older_english)} were translated from English that has changed since and "
                   f"stay stale: {', '.join(report.older_english)}")


@translations.command("status")
@click.argument("issue_dir", type=ISSUE_DIR)
def status_command(issue_dir: Path):
    """Per language: blocks approved/machine/draft/stale/missing, words ready, and what a send would do."""
    issue, found = translations_core.status(settings_of(), issue_dir)
    click.echo(f"{'language':<32} {'approved':>8} {'machine':>7} {'draft':>6} {'stale':>6} {'missing':>8} "
               f"{'words':>6}  at send time")
    details, statuses = [], []
    for status in found:
        lang = status.lang
        name = f"{language_name(lang)} ({lang})"
        click.echo(f"{name:<32} {status.count('approved'):>8} {status.count('machine'):>7} {status.count('draft'):>6} "
                   f"{status.count('stale'):>6} {status.count('missing'):>8} {status.percent_ready:>5.0f}%  "
                   f"{OUTCOME_TEXT[status.outcome]}")
        if status.outcome != "full" and lang != issue.source_lang:
            details.append(f"  {lang}: {status.reason}")
        for kind in ("stale", "draft", "missing"):
            if status.in_issue and status.owners_with(kind):
                details.append(f"  {lang} {kind}: {', '.join(status.owners_with(kind))}")
        if lang not in chrome.available() and lang != issue.source_lang:
            details.append(f"  {lang}: no chrome catalog (footer, labels) - they will be in English")
        statuses.append(status)
    if local_provider_warning(statuses):
        details.append(local_provider_warning(statuses))
    if details:
        click.echo("\n" + "\n".join(details))
    click.echo(f"\nChrome catalogs (footer, labels, dates, preference pages): {', '.join(chrome.available())} "
               f"(blocks/i18n/chrome/).")
    click.echo(f"Fallback for families whose language is missing or incomplete: {issue.fallback} "
               "(set 'fallback:' in issue.yaml or the publication's publication.yaml).")
    click.echo(f"Machine translations: {_policy_text(issue)} (set 'machine:' there too).")


def _policy_text(issue) -> str:
    policy = issue.machine
    exceptions = [f"{lang}: {choice}" for lang, choice in policy.by_lang if lang != "default"]
    return f"{policy.default}" + (f", except {', '.join(exceptions)}" if exceptions else "") + \
        (" (send: with a banner saying so; hold: only once a reviewer approves them)")


@translations.command("machine")
@click.argument("issue_dir", type=ISSUE_DIR)
@click.option("--lang", "langs", multiple=True, help="Language to fill (repeatable), e.g. vi, zh_Hans.")
@click.option("--all-missing", is_flag=True, help="Every publication language the issue has no human edition in.")
@click.option("--provider", type=click.Choice(PROVIDERS), default=None,
              help="Use this machine-translation service alone (default: the publication's machine_providers, "
                   "in order; settings from the environment, e.g. DEEPL_AUTH_KEY, GOOGLE_TRANSLATE_API_KEY).")
@click.option("--dry-run", is_flag=True, help="Show what would be sent and the characters billed; send nothing.")
def machine_command(issue_dir: Path, langs: tuple[str, ...], all_missing: bool, provider: str | None, dry_run: bool):
    """Fill missing and stale texts with machine translations, stored as drafts (status machine).

    Each language goes to the first provider in the publication's machine_providers that offers
    it. Never replaces human work; texts already machine-translated are not sent again. Families
    get machine editions only where the publication's `machine:` policy says send (with a
    banner saying so); reviewers approve them by clearing the fuzzy flag in an exported PO file.
    """
    from blocks.i18n.machine.run_summary import done_lines, plan_lines

    settings = settings_of()
    issue = load_issue(issue_dir, library_dir=settings.library)
    chosen = _machine_languages(issue, langs, all_missing)
    machine = translations_core.machine_plan(settings, issue_dir, chosen, provider)
    click.echo("\n".join(plan_lines(machine.plans, machine.order, dry_run)))
    if dry_run:
        return
    translations_core.machine_run(machine)
    click.echo("\n".join(done_lines(machine.issue, machine.plans, machine.order)))


def _machine_languages(issue, langs, all_missing: bool) -> list[str]:
    from blocks.i18n.machine.run import missing_languages

    if bool(langs) == all_missing:
        raise click.UsageError("give --lang (one or more) or --all-missing")
    if all_missing:
        return missing_languages(issue)
    wanted = list(dict.fromkeys(lang.replace("-", "_") for lang in langs))
    others = [l for l in issue.publication.languages if l != issue.source_lang]
    wrong = [lang for lang in wanted if lang not in others]
    if wrong:
        raise NewsletterError(f"{', '.join(wrong)}: not among the publication's translation languages "
                              f"({', '.join(others)})", f"add it to languages in {display_path(issue.path.parent / 'publication.yaml')} "
                              "first", outcome="nothing was translated")
    return wanted
