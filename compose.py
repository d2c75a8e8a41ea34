#!/usr/bin/env python3
"""compose.py - write, check, translate, build and send the families' newsletter.

A thin command line: the commands live in blocks/cli.py (content), mailer/commands/
(subscribers, audiences, send, demo) and preferences/cli.py (serve, publish). Every user
mistake is a common.errors.NewsletterError, which click prints as plain words with exit
code 1 (no traceback); `Commands.invoke` below is the one other place errors are mapped.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from blocks import cli as content  # noqa: E402
from blocks import cli_new  # noqa: E402
from common.errors import StoreError  # noqa: E402
from mailer.commands.audience import audience  # noqa: E402
from mailer.commands.send import demo, send  # noqa: E402
from mailer.commands.subscribers import subscribers  # noqa: E402
from mailer.commands.report import report  # noqa: E402
from preferences.cli import publish, serve  # noqa: E402
from preview.cli import preview  # noqa: E402
from studio.cli import staff, studio  # noqa: E402


def store_failure(error: BaseException) -> StoreError | None:
    """A database failure (server down, locked file, permissions) as a user error, or None."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import SQLAlchemyError
    if not isinstance(error, SQLAlchemyError):
        return None
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return StoreError(f"the subscriber store failed: {reason}",
                      "check NEWSLETTER_DB and that the database is reachable")


class Commands(click.Group):
    """The root command group: maps the one kind of error that is not ours (SQLAlchemy's)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except Exception as error:
            mapped = store_failure(error)
            if mapped is None:
                raise
            raise mapped from error


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Compose, check, translate, build and send the newsletters of each publication
    (newsletters/<publication>/<issue>/: one folder per office, one per issue).

    \b
    Typical use:
      python compose.py new newsletters/equity/2021-11-nov
      python compose.py check newsletters/equity/2021-09-sept-oct
      python compose.py build newsletters/equity/2021-09-sept-oct
      python compose.py translations status newsletters/equity/2021-09-sept-oct
      python compose.py subscribers import roster.csv [--publication food]
      python compose.py send newsletters/equity/2021-09-sept-oct --to all-families --dry-run
      python compose.py demo
    """


for command in (content.check, content.build, content.translations, subscribers, audience, send, demo, serve,
                publish, report):
    cli.add_command(command)
cli.add_command(preview)
cli.add_command(studio)
cli.add_command(staff)
cli.add_command(cli_new.new)
cli.add_command(cli_new.new_publication_command)

if __name__ == "__main__":
    cli()
