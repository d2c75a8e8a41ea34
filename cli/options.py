"""What the sending commands share: the --audiences option, opening the store, printing lines."""
from __future__ import annotations

from pathlib import Path

import click

from cli.run_settings import settings_of  # noqa: F401 (the commands' one way to their settings)

AUDIENCES_HELP = "audiences.yaml to use (default: $NEWSLETTER_AUDIENCES, ./audiences.yaml, the project's)."


def audiences_path_of(given: Path | None) -> Path | None:
    """--audiences, else the NEWSLETTER_AUDIENCES setting (load_audiences falls back to ./audiences.yaml)."""
    return given or settings_of().audiences
audiences_option = click.option("--audiences", "audiences_path", type=click.Path(path_type=Path), default=None,
                                help=AUDIENCES_HELP)


def open_store():
    from mailer.store.subscribers import Store
    settings = settings_of()
    return Store.of(settings)


def echo_lines(lines: list[str], err: bool = False) -> None:
    click.echo("\n".join(lines), err=err)
