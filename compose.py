#!/usr/bin/env python3
"""compose.py - write, check, translate and build the Office of Equity Advancement's newsletter.

A thin command line: the commands live in blocks/cli.py (content) and mailer/cli.py
(sending); mistakes in your files become plain messages and exit code 1.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from blocks import cli as content  # noqa: E402
from mailer import cli as sending  # noqa: E402
from mailer.send_cli import demo, send  # noqa: E402
from preferences.cli import report, serve  # noqa: E402


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Compose, check, translate and build the newsletter.

    \b
    Typical use:
      python compose.py check newsletters/2021-09-sept-oct
      python compose.py build newsletters/2021-09-sept-oct
      python compose.py translations status newsletters/2021-09-sept-oct
    """


cli.add_command(content.check)
cli.add_command(content.build)
cli.add_command(content.translations)
cli.add_command(sending.subscribers)
cli.add_command(sending.audience)
cli.add_command(send)
cli.add_command(demo)
cli.add_command(serve)
cli.add_command(report)

if __name__ == "__main__":
    cli()
