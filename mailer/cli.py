"""Commands for the sending side: `subscribers ...` and `audience ...` (registered by compose.py).

Mistakes (a bad file, an unknown segment or address, a broken audiences.yaml, an unreachable
database) print plain messages on stderr and exit 1. Heavy imports happen inside commands so
that the content commands of compose.py start fast.
"""
from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

AUDIENCES_HELP = "audiences.yaml to use (default: $NEWSLETTER_AUDIENCES, ./audiences.yaml, the project's)."
audiences_option = click.option("--audiences", "audiences_path", type=click.Path(path_type=Path), default=None,
                                help=AUDIENCES_HELP)


def friendly(command):
    """Turn user mistakes into plain messages and exit code 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        from blocks.errors import UserError
        from sqlalchemy.exc import SQLAlchemyError

        from .errors import StoreError
        try:
            return command(*args, **kwargs)
        except UserError as e:
            for problem in e.problems:
                click.echo(str(problem), err=True)
            count = len(e.problems)
            click.echo(f"\n{count} problem{'s' if count != 1 else ''} found; nothing was changed.", err=True)
        except StoreError as e:
            click.echo(f"error: {e}", err=True)
        except SQLAlchemyError as e:
            reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0]
            click.echo(f"error: the subscriber store failed: {reason}\n    -> check NEWSLETTER_DB and that the "
                       "database is reachable; nothing was changed", err=True)
        sys.exit(1)

    return wrapper


def _open():
    from .subscribers import Store
    return Store.open()


def _echo(lines: list[str], err: bool = False) -> None:
    click.echo("\n".join(lines), err=err)


@click.group()
def subscribers():
    """Families on the list: import rosters, export, look up, unsubscribe, suppress."""


@subscribers.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
              help='Use another column, e.g. --map "Email=Guardian E-mail". Fields: email, name, first_name, '
                   "last_name, language, school, grade. Repeatable.")
@click.option("--skip-invalid", is_flag=True, help="Import the good rows even if some rows are bad (they are listed).")
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--sheet", default=None, help="Worksheet of an .xlsx file (default: the first).")
@audiences_option
@friendly
def import_(file: Path, mappings, skip_invalid: bool, dry_run: bool, sheet, audiences_path):
    """Import a district roster (.csv or .xlsx): add and update families, report bad rows.

    Re-importing the same file changes nothing. Unsubscribed, bounced and complained
    addresses are never resubscribed. Any bad row means nothing is imported (exit 1)
    unless --skip-invalid.
    """
    from .audiences import load_audiences
    from .importer import import_roster
    from .reports import import_report
    from .roster import read_roster

    roster = read_roster(file, load_audiences(audiences_path), list(mappings), sheet)
    with _open() as store:
        report = import_roster(store, roster, skip_invalid=skip_invalid, dry_run=dry_run)
        _echo(import_report(report, roster, store.description, dry_run=dry_run, skip_invalid=skip_invalid))
    if report.rejected and not skip_invalid:
        sys.exit(1)


@subscribers.command("export")
@click.argument("file", type=click.Path(path_type=Path, allow_dash=True), default="-")
@click.option("--status", "statuses", multiple=True,
              type=click.Choice(["subscribed", "unsubscribed", "bounced", "complained"]),
              help="Only these statuses (repeatable; default: all).")
@friendly
def export(file: Path, statuses):
    """Export every subscriber as CSV, to FILE or standard output."""
    from .export import export_csv

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
@friendly
def show(email: str, audiences_path):
    """Show everything stored about one address, with its status history."""
    from .reports import subscriber_report
    from .subscribers import normalize

    with _open() as store:
        found = store.get(email, history=True)
    if found is None:
        click.echo(f"{normalize(email)} is not in the subscriber store.", err=True)
        sys.exit(1)
    _echo(subscriber_report(found, _school_names(audiences_path)))


@subscribers.command()
@click.argument("email")
@click.option("--reason", default="", help="Why, for the history (e.g. 'asked by phone').")
@friendly
def unsubscribe(email: str, reason: str):
    """Unsubscribe an address now. An unknown address is added as unsubscribed."""
    from .subscribers import normalize

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


@subscribers.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--status", "default_status", default="bounced", show_default=True,
              type=click.Choice(["bounced", "complained", "unsubscribed"]),
              help="Status for lines without a status column.")
@click.option("--reason", default="", help="Why, for the history (default: the file's name).")
@friendly
def suppress(file: Path, default_status: str, reason: str):
    """Suppress a list of addresses (bounces, complaints, opt-outs) from a CSV or text file."""
    from .reports import suppress_report
    from .suppress import suppress as run

    with _open() as store:
        _echo(suppress_report(run(store, file, default_status, reason)))


def _school_names(audiences_path):
    from blocks.errors import UserError

    from .audiences import load_audiences
    try:
        return load_audiences(audiences_path).school_name
    except UserError:  # names are a nicety here: fall back to ids
        return lambda school_id: school_id


@click.group()
def audience():
    """Segments from audiences.yaml, with who each one reaches."""


@audience.command("list")
@audiences_option
@friendly
def list_(audiences_path):
    """Every segment with its number of families and of excluded (suppressed) addresses."""
    from .audiences import load_audiences
    from .reports import segment_list

    audiences = load_audiences(audiences_path)
    with _open() as store:
        counts = {name: store.count(segment) for name, segment in audiences.segments.items()}
    _echo(segment_list(audiences, counts))


@audience.command("show")
@click.argument("name")
@audiences_option
@friendly
def show_segment(name: str, audiences_path):
    """Who a segment reaches: families per language and per school, and who is excluded and why."""
    from .audiences import load_audiences
    from .reports import segment_report

    audiences = load_audiences(audiences_path)
    segment = audiences.segment(name)
    with _open() as store:
        counts = store.count(segment)
    _echo(segment_report(segment, counts, audiences.school_name))
