"""`compose.py subscribers ...`: import rosters, export, look up, unsubscribe, suppress.

Mistakes raise common.errors.NewsletterError, which compose.py prints (exit 1). Heavy imports
happen inside commands so that the content commands of compose.py start fast.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from common.errors import NewsletterError
from cli.options import audiences_option, audiences_path_of, echo_lines as _echo, open_store as _open
from cli.publication_option import all_publications, chosen_publications, publication_option

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
    from mailer.audiences.audiences_file import load_audiences
    from mailer.roster.importer import import_roster
    from mailer.reports.text import import_report
    from mailer.roster.families import read_roster

    from mailer.roster.restore import is_export, restore_export, restore_report
    from mailer.roster.spreadsheet import read_table

    table = read_table(file, sheet)
    if is_export(table):                 # `subscribers export`'s own file: restored as exported, not a roster
        with _open() as store:
            _echo(restore_report(restore_export(store, file, dry_run=dry_run, table=table), store.description, dry_run))
        return
    audiences = load_audiences(audiences_path_of(audiences_path))
    chosen = chosen_publications(publication_names)
    roster = read_roster(file, audiences, list(mappings), sheet, strict=strict, table=table)
    with _open() as store:
        report = import_roster(store, roster, skip_invalid=skip_invalid, dry_run=dry_run,
                               default_language=chosen[0].languages[0], publications=tuple(publication_names))
        if not publication_names:     # default_subscribe publications reach them without a subscription row
            report.publications = tuple(p.slug for p in chosen if p.slug)
        _echo(import_report(report, roster, store.description, dry_run=dry_run, skip_invalid=skip_invalid,
                            audiences_file=display_path(audiences.path)))
    if report.rejected and not skip_invalid:
        raise NewsletterError(f"{len(report.rejected):,} rows of {display_path(file)} cannot be imported (listed "
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
    from mailer.store.subscriber_export import export_csv

    with _open() as store:
        if str(file) == "-":
            export_csv(store, sys.stdout, tuple(statuses))
            return
        with open(file, "w", encoding="utf-8", newline="") as out:
            count = export_csv(store, out, tuple(statuses))
    click.echo(f"Wrote {count:,} subscribers to {file}.", err=True)


@subscribers.command()
@click.argument("email")
@audiences_option
def show(email: str, audiences_path):
    """Show everything stored about one address, with its status history."""
    from common.errors import StoreError
    from mailer.reports.text import subscriber_report
    from mailer.store.subscribers import normalize

    from mailer.store.subscriptions import follows, subscriptions_of

    with _open() as store:
        found = store.get(email, history=True)
        if found is None:
            raise StoreError(f"{normalize(email)} is not in the subscriber store.",
                             "check the spelling, or search an export: python compose.py subscribers export",
                             outcome="")
        with store.read() as connection:
            rows = subscriptions_of(connection, found.id)
    gets = {slug: follows(rows, slug, p.default_subscribe) for slug, p in all_publications().items()}
    _echo(subscriber_report(found, _school_names(audiences_path), gets))


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
    from mailer.store.subscribers import normalize
    from mailer.store.subscriptions import set_subscription

    slug = chosen_publications((publication,))[0].slug if publication else None
    with _open() as store:
        change = store.opt_in(email, source=source, by="cli")
        if slug:
            with store.write() as connection:
                set_subscription(connection, store.get(email).id, slug, "subscribed", by="cli", reason=source)
    address = normalize(email)
    click.echo(f"{address} was already subscribed." if change is None else
               f"{address}: {change.old_status} -> subscribed (explicit opt-in: {source}).")
    if slug:
        click.echo(f"{address} follows {slug}.")


@subscribers.command()
@click.argument("email")
@click.option("--reason", default="", help="Why, for the history (e.g. 'asked by phone').")
@click.option("--publication", "publication", default=None, metavar="SLUG",
              help="Leave only this publication (e.g. food); the family keeps the others. "
                   "Without it: unsubscribed from everything.")
def unsubscribe(email: str, reason: str, publication: str | None = None):
    """Unsubscribe an address now, from everything or from one publication. An unknown address
    is added as unsubscribed (from everything) so no import can subscribe it."""
    from mailer.store.subscribers import normalize

    if publication is not None:
        _leave(normalize(email), chosen_publications((publication,))[0].slug, reason)
        return
    with _open() as store:
        address = normalize(email)
        known = store.get(address) is not None
        change = store.set_status(address, "unsubscribed", by="cli", reason=reason)
    if change is None:
        click.echo(f"{address} was already unsubscribed.")
    elif not known:
        click.echo(f"{address} was not in the store; added as unsubscribed so no import can subscribe it.")
    else:
        click.echo(f"{address}: {change.old_status} -> unsubscribed.")


def _leave(address: str, slug: str, reason: str) -> None:
    from common.errors import StoreError
    from mailer.store.subscriptions import set_subscription

    with _open() as store:
        found = store.get(address)
        if found is None:
            raise StoreError(f"{address} is not in the subscriber store",
                             f"to keep it from ever being subscribed: python compose.py subscribers unsubscribe "
                             f"{address}", outcome="nothing was changed")
        with store.write() as connection:
            changed = set_subscription(connection, found.id, slug, "unsubscribed", by="cli", reason=reason)
    click.echo(f"{address}: unsubscribed from {slug}; other publications unchanged." if changed else
               f"{address} was already unsubscribed from {slug}.")


@subscribers.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--status", "default_status", default="bounced", show_default=True,
              type=click.Choice(["bounced", "complained", "unsubscribed"]),
              help="Status for lines without a status column.")
@click.option("--reason", default="", help="Why, for the history (default: the file's name).")
def suppress(file: Path, default_status: str, reason: str):
    """Suppress a list of addresses (bounces, complaints, opt-outs) from a CSV or text file."""
    from mailer.reports.text import suppress_report
    from mailer.roster.suppress import suppress as run

    with _open() as store:
        _echo(suppress_report(run(store, file, default_status, reason)))


def _school_names(audiences_path):
    from common.errors import NewsletterError
    from mailer.audiences.audiences_file import load_audiences
    try:
        return load_audiences(audiences_path_of(audiences_path)).school_name
    except NewsletterError:  # names are a nicety here: fall back to ids
        return lambda school_id: school_id
