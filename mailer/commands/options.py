"""What the sending commands share: the --audiences option, opening the store, printing lines."""
from __future__ import annotations

from pathlib import Path

import click

AUDIENCES_HELP = "audiences.yaml to use (default: $NEWSLETTER_AUDIENCES, ./audiences.yaml, the project's)."
audiences_option = click.option("--audiences", "audiences_path", type=click.Path(path_type=Path), default=None,
                                help=AUDIENCES_HELP)


def open_store():
    from mailer.store.subscribers import Store
    return Store.open()


def echo_lines(lines: list[str], err: bool = False) -> None:
    click.echo("\n".join(lines), err=err)
