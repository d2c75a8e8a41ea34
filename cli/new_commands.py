"""Commands that start things: `new` (an issue from the previous one) and `new-publication`
(registered by compose.py; the work is in blocks/scaffold.py)."""
from __future__ import annotations

from pathlib import Path

import click

from blocks.scaffold import new_issue, new_publication
from common.yaml_source import display_path

FOLDER = click.Path(path_type=Path)


@click.command("new")
@click.argument("issue_dir", type=FOLDER)
@click.option("--from", "source", type=FOLDER, default=None,
              help="The issue to start from (default: the publication's newest issue, by folder name).")
def new(issue_dir: Path, source: Path | None):
    """Start an issue: newsletters/<publication>/<issue>, from the previous one.

    Keeps the previous issue's settings and blocks in order; standing blocks stay as they were,
    and what belongs to one issue (period, subject, preheader, events, dates, the welcome letter)
    becomes a TODO to fill in. Translations are not copied.
    """
    started = new_issue(issue_dir, source)
    where = display_path(started.folder / "issue.yaml")
    origin = f"from {display_path(started.source)}" if started.source else "as the publication's first issue"
    click.echo(f"Wrote {where} ({origin}). Fill in {len(started.todos)} TODOs:")
    for line, text in started.todos:
        click.echo(f"  {where}:{line}  {text}")
    click.echo(f"Then review the blocks copied as they were, and run: python compose.py check {display_path(started.folder)}")


@click.command("new-publication")
@click.argument("publication_dir", type=FOLDER)
def new_publication_command(publication_dir: Path):
    """Start a publication: newsletters/<publication>/publication.yaml, every setting explained."""
    path = new_publication(publication_dir)
    click.echo(f"Wrote {display_path(path)}: confirm the values marked SAMPLE, then start its first issue: "
               f"python compose.py new {display_path(publication_dir)}/<issue>")
