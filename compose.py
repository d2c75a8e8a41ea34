#!/usr/bin/env python3
"""compose.py - write, check and build the Office of Equity Advancement's newsletter.

A thin command line: it calls into blocks/ (content) and mailer/ (sending) and turns
mistakes in your files into plain messages and exit code 1.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parent))

from blocks.build import GMAIL_CLIP_WARNING, build_issue, render_all, summarize  # noqa: E402
from blocks.errors import UserError  # noqa: E402
from blocks.loader import load_issue  # noqa: E402

ISSUE_DIR = click.Path(path_type=Path)


def _load(issue_dir: Path):
    try:
        return load_issue(issue_dir)
    except UserError as e:
        _fail(e)


def _fail(error: UserError):
    count = len(error.problems)
    for problem in error.problems:
        click.echo(str(problem), err=True)
    click.echo(f"\n{count} problem{'s' if count != 1 else ''} found; nothing was written.", err=True)
    sys.exit(1)


def _print_summary(summaries) -> None:
    click.echo(f"{'lang':<6} {'HTML':>7} {'text':>7}  subject")
    for s in summaries:
        click.echo(f"{s.lang:<6} {s.html_bytes / 1024:>5.1f}KB {s.text_bytes / 1024:>5.1f}KB  {s.subject}")
    for s in summaries:
        if s.too_big:
            click.echo(f"warning: {s.lang}.html is {s.html_bytes / 1024:.0f} KB, over "
                       f"{GMAIL_CLIP_WARNING // 1024} KB: Gmail clips messages near 102 KB and hides the footer "
                       "with the unsubscribe link. Shorten the issue or move blocks to the next one.", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def cli():
    """Compose, check and build the newsletter.

    \b
    Typical use:
      python compose.py check newsletters/2021-09-sept-oct
      python compose.py build newsletters/2021-09-sept-oct
    """


@cli.command()
@click.argument("issue_dir", type=ISSUE_DIR)
def check(issue_dir: Path):
    """Check an issue folder and list every problem, with file, line and key.

    Exits 0 when the issue is ready to build, 1 when anything needs fixing.
    """
    issue = _load(issue_dir)
    summaries = [summarize(email) for email in render_all(issue)]
    click.echo(f"{issue_dir}: {len(issue.blocks)} blocks, languages {', '.join(issue.languages)}: no problems.")
    _print_summary(summaries)


@cli.command()
@click.argument("issue_dir", type=ISSUE_DIR)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Output folder (default: build/<issue>/).")
def build(issue_dir: Path, out_dir: Path | None):
    """Build previews of an issue: one HTML and text email per language, calendar files, index.html."""
    issue = _load(issue_dir)
    out_dir = out_dir or Path("build") / issue.slug
    summaries = build_issue(issue, out_dir)
    _print_summary(summaries)
    click.echo(f"\nWrote {out_dir}/ - open {out_dir / 'index.html'} to preview.")


if __name__ == "__main__":
    cli()
