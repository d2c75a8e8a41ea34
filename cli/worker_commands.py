"""`compose.py worker` (starts scheduled sends; a long-running process) and `compose.py approval`
(where an issue's approval stands), registered by compose.py. The work is workflows/schedule.py
and workflows/approval.py."""
from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from cli.run_settings import settings_of


@click.command("worker")
@click.option("--poll", default=30.0, show_default=True, type=float, help="Seconds between looks for due sends.")
@click.option("--once", is_flag=True, help="Start every send due now, then exit (e.g. from cron).")
@click.option("--outbox", "outbox_dir", type=click.Path(path_type=Path), default=Path("outbox"), show_default=True,
              help="Folder for sends through the outbox backend.")
@click.option("--reports", "reports_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Where each run's report (JSON) is kept.")
@click.pass_context
def worker(ctx: click.Context, poll: float, once: bool, outbox_dir: Path, reports_dir: Path):
    """Start the sends scheduled in the studio when they are due, until stopped (SIGTERM, Ctrl-C).

    \b
    Run it as a service (README, "The send worker"); several may run, on one machine or several
    sharing the store: each send is started by one of them, and families are shared through the
    send log, never reached twice. A send that came due while no worker ran starts when one
    comes back, and its line says how late. Quiet hours (publication.yaml) are kept: a send due
    inside them waits for their end, unless it was forced.
    """
    from workflows import schedule

    settings = settings_of(ctx)

    def said(item) -> None:
        click.echo(f"send {item.id} of {item.key} to '{item.segment}': {item.state}: {item.detail}")

    if once:
        for item in schedule.run_due(settings, outbox_dir=outbox_dir, reports_dir=reports_dir):
            said(item)
        return
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"Worker started: looking for due sends every {poll:g} s (SIGTERM or Ctrl-C stops it).", err=True)
    schedule.serve(settings, stop=stop, poll=poll, outbox_dir=outbox_dir, reports_dir=reports_dir, on_done=said)
    click.echo("Worker stopped.", err=True)


@click.command("approval")
@click.argument("issue_dir", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.pass_context
def approval_command(ctx: click.Context, issue_dir: Path):
    """Where an issue's approval stands: ready, approved, or void since a change (its fingerprint)."""
    from mailer.store.subscribers import Store
    from workflows import approval

    settings = settings_of(ctx)
    with Store.of(settings) as store:
        found = approval.state(store, issue_dir, settings.library)
    click.echo(f"{found.publication}/{found.issue}: {found.words()}")
    click.echo(f"approval: {found.policy}; content fingerprint now: {found.current[:16]}"
               + (f"; approved: {found.approved_fingerprint[:16]}" if found.approved_fingerprint else ""))
