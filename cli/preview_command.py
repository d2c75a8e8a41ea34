"""The `preview` command (registered by compose.py)."""
from __future__ import annotations

import signal
import webbrowser
from pathlib import Path

import click

from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path
from cli.run_settings import settings_of


@click.command()
@click.argument("issue_dir", type=click.Path(path_type=Path))
@click.option("--port", default=8001, show_default=True, help="Port to serve on (0: any free port).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to serve on; the default is this computer only.")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in the web browser.")
@click.option("--drafts", is_flag=True, help="Show draft translations (families never get drafts).")
def preview(issue_dir: Path, port: int, host: str, open_browser: bool, drafts: bool):
    """Live preview of an issue: every language side by side, updated as you save.

    Watches the issue, its publication, the library blocks it includes, the translations and
    the templates; each save updates the open pages within a fraction of a second. Problems
    (the same ones `check` lists) appear in the page while the last good preview stays.
    Ctrl-C stops it.
    """
    from preview.server import PreviewServer   # only this command needs watchfiles and the server
    if not issue_dir.is_dir():
        raise NewsletterError([Problem(display_path(issue_dir), "", "no such issue folder",
                                       "give the folder holding issue.yaml, e.g. newsletters/equity/2021-09-sept-oct")])
    server = PreviewServer(issue_dir, host=host, port=port, drafts=drafts, log=click.echo,
                           library_dir=settings_of().library)
    before = signal.signal(signal.SIGTERM, _interrupt)      # `kill` stops it as cleanly as Ctrl-C
    try:
        click.echo(f"Building the preview of {issue_dir} ...")
        server.start()
        problems = server.previewer.snapshot.problems
        state = f"{len(problems)} problem(s), shown in the page" if problems else \
            f"{', '.join(server.previewer.snapshot.views)} ready"
        click.echo(f"Preview at {server.url} ({state}). Ctrl-C to stop.")
        if open_browser:
            webbrowser.open(server.url)
        server.wait()
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        signal.signal(signal.SIGTERM, before)
        server.stop()


def _interrupt(_signal, _frame):
    raise KeyboardInterrupt
