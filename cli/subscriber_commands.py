"""`compose.py subscribers ...`: import rosters, export, look up, unsubscribe, suppress (the
command line's face of workflows.family_records).

Mistakes raise common.errors.NewsletterError, which compose.py prints (exit 1). Heavy imports
happen inside commands so that the content commands of compose.py start fast.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from common.errors import NewsletterError
from cli.options import audiences_option, echo_lines as _echo
from cli.publication_option import publication_option
from cli.run_settings import settings_of
from workflows import family_records as records


@click.group()
def subscribers():
    """Families on the list: import rosters, export, look up, unsubscribe, suppress."""


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help='Use another column, e.g. --map "Email=Guardian E-mail". Fields: email, name, first_name, '
                   "last_name, language, school, grade. Repeatable.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the good rows even if some rows are bad (they are listed); a family whose language "
                   "is unknown gets the publication's default language.")
@click.option("--strict", is_flag=True,
              help="Treat a school, grade, topic or language that is not known as a bad row (by default the "
                   "family is imported and the value kept and reported).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx file (default: the first; the report says "
                                            "which one it read).")
@publication_option
@audiences_option
def import_(file: Path, mappings, skip_invalid: bool, dry_run: bool, sheet, audiences_path, strict: bool = False,
            publication_names=()):
    """Import a district roster (.csv, .txt or .xlsx): add and update families, report bad rows.

    Only rows without a usable email address are bad (and, until fixed or --skip-invalid,
    rows whose language is unknown). A school, grade or topic that audiences.yaml does not
    know never leaves a family out: it is kept as written and reported with its fix.
    Re-importing the same file changes nothing. Unsubscribed, bounced and complained
    addresses are never resubscribed. A file of `subscribers export` is restored as exported
    (status, schools, grades, topics, publications); a suppression in it is kept, and an
    address already in the store keeps what the store says. Any bad row means nothing is imported (exit 1)
    unless --skip-invalid. The families follow the publications named by --publication
    (default: those whose publication.yaml says default_subscribe: true, as the sample's do).
    """
    from common.yaml_source import display_path
    from mailer.reports.text import import_report
    from mailer.roster.restore import restore_report

    done = records.import_roster(settings_of(), file, mappings=mappings, skip_invalid=skip_invalid, dry_run=dry_run,
                                 sheet=sheet, audiences=audiences_path, strict=strict, publications=publication_names)
    if done.restored:
        _echo(restore_report(done.report, done.store_description, dry_run))
        return
    _echo(import_report(done.report, done.roster, done.store_description, dry_run=dry_run, skip_invalid=skip_invalid,
                        audiences_file=done.audiences_file))
    if done.refused_rows and not skip_invalid:
        raise NewsletterError(f"{done.refused_rows:,} rows of {display_path(file)} cannot be imported (listed "
                              "above)", "correct them, or add --skip-invalid to import the others",
                              outcome="nothing was imported")


@subscribers.command("export")
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True), default="-")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["subscribed", "unsubscribed", "bounced", "complained"]),
              help="Only these statuses (repeatable; default: all).")
def export(file: Path, statuses):
    """Export every subscriber as CSV, to FILE or standard output.

    Safe to open in Excel: a cell that starts with =, +, -, @ (or a tab or carriage return)
    is written with a ' before it, so a spreadsheet shows it as text and never runs it as a
    formula (OWASP's advice on CSV injection). `subscribers import` removes that ' again.
    """
    if str(file) == "-":
        records.export(settings_of(), sys.stdout, statuses)
        return
    with open(file, "w", encoding="utf-8", newline="") as out:
        count = records.export(settings_of(), out, statuses)
    click.echo(f"Wrote {count:,} subscribers to {file}.", err=True)


@subscribers.command()
@click.argument("email")
@audiences_option
def show(email: str, audiences_path):
    """Show everything stored about one address, with its status history."""
    from mailer.reports.text import subscriber_report

    found, gets = records.show(settings_of(), email)
    _echo(subscriber_report(found, records.school_names(settings_of(), audiences_path), gets))


@subscribers.command("opt-in")
@click.argument("email")
@click.option("--source", required=True,
              help="How and where the family asked, e.g. 'signed form at Aiken, 2021-10-04' (kept in the history).")
@click.option("--publication", "publication", default=None, metavar="SLUG",
              help="Also follow this publication (e.g. one with default_subscribe: false, or one they left).")
def opt_in(email: str, source: str, publication: str | None = None):
    """Subscribe an address again on the family's explicit request, with its source and time.

    The only way back after a spam complaint or an unsubscribe (links never do it). A bounced
    address should first be corrected through the school's records.
    """
    done = records.opt_in(settings_of(), email, source, publication)
    click.echo(f"{done.address} was already subscribed." if done.change is None else
               f"{done.address}: {done.change.old_status} -> subscribed (explicit opt-in: {source}).")
    if done.publication:
        click.echo(f"{done.address} follows {done.publication}.")


@subscribers.command()
@click.argument("email")
@click.option("--reason", default="", help="Why, for the history (e.g. 'asked by phone').")
@click.option("--publication", "publication", default=None, metavar="SLUG",
              help="Leave only this publication (e.g. food); the family keeps the others. "
                   "Without it: unsubscribed from everything.")
def unsubscribe(email: str, reason: str, publication: str | None = None):
    """Unsubscribe an address now, from everything or from one publication. An unknown address
    is added as unsubscribed (from everything) so no import can subscribe it."""
    done = records.unsubscribe(settings_of(), email, reason, publication)
    if done.publication:
        click.echo(f"{done.address}: unsubscribed from {done.publication}; other publications unchanged."
                   if done.change else f"{done.address} was already unsubscribed from {done.publication}.")
    elif done.change is None:
        click.echo(f"{done.address} was already unsubscribed.")
    elif not done.known:
        click.echo(f"{done.address} was not in the store; added as unsubscribed so no import can subscribe it.")
    else:
        click.echo(f"{done.address}: {done.change.old_status} -> unsubscribed.")


@subscribers.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--status", "default_status", default="bounced", show_default=True,
              type=click.Choice(["bounced", "complained", "unsubscribed"]),
              help="Status for lines without a status column.")
@click.option("--reason", default="", help="Why, for the history (default: the file's name).")
def suppress(file: Path, default_status: str, reason: str):
    """Suppress a list of addresses (bounces, complaints, opt-outs) from a CSV or text file."""
    from mailer.reports.text import suppress_report

    _echo(suppress_report(records.suppress(settings_of(), file, default_status, reason)))
