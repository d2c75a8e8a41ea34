"""The `send` command (registered by compose.py): plan, deliver, report."""
from __future__ import annotations

from pathlib import Path

import click

from mailer.commands.options import audiences_option


@click.command()
@click.argument("issue_dir", type=click.Path(path_type=Path))
@click.option("--to", "segment_name", required=True, help="Segment from audiences.yaml, e.g. all-families.")
@click.option("--backend", type=click.Choice(["outbox", "smtp", "sendgrid"]), default="outbox", show_default=True,
              help="outbox writes .eml files; smtp and sendgrid deliver (settings from the environment).")
@click.option("--outbox", "outbox_dir", type=click.Path(path_type=Path), default=Path("outbox"), show_default=True,
              help="Folder for the outbox backend.")
@click.option("--dry-run", is_flag=True, help="Show who would get which language; send nothing.")
@click.option("--resend", is_flag=True, help="Send again to families who already got this issue.")
@audiences_option
@click.pass_context
def send(ctx: click.Context, issue_dir: Path, segment_name: str, backend: str, outbox_dir: Path, dry_run: bool, resend: bool,
         audiences_path):
    """Send an issue to a segment, each family in their language, exactly once.

    \b
    Rerun the same command after a crash or interruption: it sends to everyone not yet
    sent to and to nobody twice. Families who already got the issue (for example through
    an overlapping segment) are skipped unless --resend is given.
    \b
    Settings: NEWSLETTER_SECRET and NEWSLETTER_BASE_URL (signed unsubscribe and preference
    links; the outbox demo works without them), SMTP_* or SENDGRID_* for those backends,
    NEWSLETTER_DB for the store.
    """
    from blocks.loader import load_issue
    from mailer.audiences.loader import load_audiences
    from mailer.backends import get_backend
    from mailer.send.links import LinkSigner
    from mailer.send.personalize import Personalizer
    from mailer.send.sender import Sender
    from mailer.store.subscribers import Store

    issue = load_issue(issue_dir)
    segment = load_audiences(audiences_path).segment(segment_name)
    signer = LinkSigner.from_env(demo=backend == "outbox")
    chosen = get_backend(backend, directory=outbox_dir, issue=issue.slug) if backend == "outbox" \
        else get_backend(backend)
    if backend == "outbox" and signer.secret.startswith("demo"):
        click.echo("note: NEWSLETTER_SECRET is not set; links are signed with a demo secret (outbox only).",
                   err=True)
    pub = issue.publication
    web_url = f"{(pub.web_base_url or signer.base_url + '/issues').rstrip('/')}/{issue.slug}"
    personalizer = Personalizer(issue.slug, signer, pub.sender.email.split("@")[1], web_url)
    with Store.open() as store:
        sender = Sender(issue, store, chosen, personalizer, segment_name=segment.name, web_url=web_url,
                        resend=resend)
        report = sender.run(segment.rule, dry_run=dry_run)
    _print_report(report, dry_run, backend, outbox_dir / issue.slug, web_url)
    if report.results.get("failed") or report.results.get("rejected"):
        ctx.exit(2)


def _print_report(report, dry_run: bool, backend: str, outbox_path: Path, web_url: str) -> None:
    title = "Plan (dry run, nothing sent)" if dry_run else "Sent"
    click.echo(f"{title}: {sum(report.planned.values())} families")
    for lang, count in sorted(report.planned.items()):
        click.echo(f"  {lang:<8} {count:>7}")
    if report.by_school:
        click.echo("By school (a family may follow several):")
        for school, count in sorted(report.by_school.items()):
            click.echo(f"  {school or '(no school)':<24} {count:>7}")
    for lang, count in sorted(report.held.items()):
        click.echo(f"Held (not sent until approved): {count} families reading {lang}")
    for status, count in sorted(report.skipped.items()):
        click.echo(f"Skipped, already {status} for this issue: {count}")
    if report.confirmed:
        click.echo(f"Found delivered before an interruption: {report.confirmed}")
    if not dry_run:
        click.echo("Results: " + (", ".join(f"{s} {n}" for s, n in sorted(report.results.items())) or "nothing to send"))
        if backend == "outbox" and report.results:
            click.echo(f"Messages are in {outbox_path}/<language>/ (open any .eml in a mail program).")
        click.echo(f"Publish the build folder (calendar files, web versions) at {web_url}/")


@click.command()
@click.option("--roster", type=click.Path(path_type=Path), default=Path("tests/fixtures/roster_sample.csv"),
              show_default=True, help="Roster to import into the store.")
@click.pass_context
def demo(ctx, roster: Path):
    """Try everything on the sample issue: build previews, import a sample roster, send to the outbox.

    Uses the embedded store (var/newsletter.db, or NEWSLETTER_DB) and the outbox backend:
    nothing leaves this machine. Safe to run again: families already sent to are skipped.
    """
    from blocks.cli import build
    from mailer.commands.subscribers import subscribers

    issue = Path("newsletters/2021-09-sept-oct")
    click.echo("== 1. Build the previews ==")
    ctx.invoke(build, issue_dir=issue, out_dir=None, drafts=False)
    click.echo(f"\n== 2. Import the sample roster ({roster}) ==")
    ctx.invoke(subscribers.commands["import"], file=roster, mappings=(), skip_invalid=True, dry_run=False,
               sheet=None, audiences_path=None)
    click.echo("\n== 3. Send to all-families through the outbox ==")
    ctx.invoke(send, issue_dir=issue, segment_name="all-families", backend="outbox", outbox_dir=Path("outbox"),
               dry_run=False, resend=False, audiences_path=None)
    click.echo("\nDone. Open build/2021-09-sept-oct/index.html for the previews and outbox/2021-09-sept-oct/ "
               "for the messages each family would get.")
    click.echo("To open the unsubscribe and preference links in those messages, run the preference center "
               "on this computer:\n    python compose.py serve --demo")
