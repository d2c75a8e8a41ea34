#!/usr/bin/env python3
"""compose.py - write, check, translate, build and send the families' newsletter.

A thin command line: the commands live in cli/content_commands.py (content), cli/
(subscribers, audiences, send, demo) and cli/web_commands.py (serve, publish). Every user
mistake is a common.errors.NewsletterError; `Commands.main` below is the one place where
errors become words and exit codes (EXIT_CODES; README, "Exit codes").
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli import content_commands as content  # noqa: E402
from cli import new_commands as cli_new  # noqa: E402
from common.errors import (FamiliesNotReached, NewsletterError, SendingStopped,  # noqa: E402
                           StoreUnreachable)
from cli.audience_commands import audience  # noqa: E402
from cli.send_commands import demo, send  # noqa: E402
from cli.subscriber_commands import subscribers  # noqa: E402
from cli.report_commands import report  # noqa: E402
from cli.web_commands import publish, serve  # noqa: E402
from cli.preview_command import preview  # noqa: E402
from cli.studio_commands import staff, studio  # noqa: E402
from cli.worker_commands import approval_command, worker  # noqa: E402


INTERNAL_ERROR = 70          # EX_SOFTWARE: a bug; the traceback is saved to a file
EXIT_CODES = """\b
Exit codes:
  0  done
  1  a user or configuration error: nothing (more) was sent
  2  a usage error (an unknown option, a missing argument)
  3  finished, but some families were not reached (the report says who)
  4  stopped: a server or the store could not be reached; safe to rerun
  70 an internal error (a bug): the traceback is saved to a file named on screen
"""


def store_failure(error: BaseException) -> NewsletterError | None:
    """A database failure as what it is: the store unreachable (a user can fix it), or None (a bug)."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import InterfaceError, OperationalError
    if not isinstance(error, (OperationalError, InterfaceError)):
        return None                    # a ProgrammingError, an IntegrityError ...: a bug, not a setting
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    return StoreUnreachable(f"the subscriber store could not be reached: {reason}",
                            "check NEWSLETTER_DB and that the database is reachable; then run the same command again",
                            outcome="stopped")


def exit_code(error: NewsletterError) -> int:
    if isinstance(error, FamiliesNotReached):
        return 3
    if isinstance(error, (SendingStopped, StoreUnreachable)):
        return 4
    return 1


def save_traceback(error: BaseException) -> Path:
    """The traceback of a bug, in a file of its own (the terminal gets its path and one line)."""
    stamp = time.strftime("%Y%m%dT%H%M%S")
    path = Path(tempfile.gettempdir()) / f"newsletter-crash-{stamp}-{os.getpid()}.txt"
    path.write_text("".join(traceback.format_exception(error)), encoding="utf-8")
    return path


class Commands(click.Group):
    """The root command group: the one place where errors become messages and exit codes."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except click.exceptions.Exit as done:
            code = done.exit_code
        except NewsletterError as error:
            error.show()
            code = exit_code(error)
        except click.ClickException as error:       # click's usage errors: exit 2
            error.show()
            code = error.exit_code
        except click.Abort:
            click.echo("Aborted!", err=True)
            code = 1
        except Exception as error:
            mapped = store_failure(error)
            if mapped is not None:
                mapped.show()
                code = exit_code(mapped)
            else:
                path = save_traceback(error)
                click.echo(f"internal error: {type(error).__name__}: {error}\n(this is a bug, not something you "
                           f"did: the details are in {path}; please report it with that file)", err=True)
                code = INTERNAL_ERROR
        if standalone_mode:
            sys.exit(code)
        return code


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES)
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
cli.add_command(worker)
cli.add_command(approval_command)
cli.add_command(cli_new.new)
cli.add_command(cli_new.new_publication_command)

if __name__ == "__main__":
    cli()
