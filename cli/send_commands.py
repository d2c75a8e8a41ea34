"""The `send` and `demo` commands (registered by compose.py): plan, prove, confirm, deliver, report."""
from __future__ import annotations

from pathlib import Path

import click

from common.errors import FamiliesNotReached
from common.yaml_source import display_path
from cli.options import audiences_option, settings_of


@click.command()
@click.argument("issue_dir", type=click.Path(path_type=Path))
@click.option("--to", "segment_name", required=True, help="Segment from audiences.yaml, e.g. all-families.")
@click.option("--backend", type=click.Choice(["outbox", "smtp", "sendgrid"]), default="outbox", show_default=True,
              help="outbox writes .eml files; smtp and sendgrid deliver (settings from the environment).")
@click.option("--outbox", "outbox_dir", type=click.Path(path_type=Path), default=Path("outbox"), show_default=True,
              help="Folder for the outbox backend.")
@click.option("--test-to", "test_to", multiple=True, metavar="ADDRESS",
              help="Send a proof of each language to ADDRESS (repeatable), marked [TEST]; no family gets anything.")
@click.option("--dry-run", is_flag=True, help="Show who would get which language; send nothing.")
@click.option("--yes", is_flag=True, help="Send without asking (needed without a terminal, e.g. in a script).")
@click.option("--resend", is_flag=True, help="Send again to families who already got this issue.")
@click.option("--retry-failed", is_flag=True,
              help="Also send again to families refused for good (rejected, invalid), e.g. after fixing the "
                   "setting that made a server refuse them.")
@click.option("--resend-in-doubt", is_flag=True,
              help="Send to families whose request was cut off by a crash and that no event has resolved.")
@click.option("--skip-link-check", is_flag=True,
              help="Send even if the web edition or a calendar file does not answer 200 (kept in the report).")
@click.option("--allow-local-translations", is_flag=True,
              help="Send machine translations made by a server on this computer (only for tests against local "
                   "servers: the test stubs make pseudo-translations).")
@click.option("--reports", "reports_dir", type=click.Path(path_type=Path), default=Path("reports"),
              show_default=True, help="Where each run's report (JSON) and the proofs log are kept.")
@audiences_option
@click.pass_context
def send(ctx: click.Context, issue_dir: Path, segment_name: str, backend: str, outbox_dir: Path, test_to,
         dry_run: bool, yes: bool, resend: bool, retry_failed: bool, resend_in_doubt: bool, skip_link_check: bool,
         reports_dir: Path, audiences_path, allow_local_translations: bool = False):
    """Send an issue to a segment, each family in their language, exactly once.

    \b
    Staff workflow:
      1. --dry-run              who gets which language (nothing is sent)
      2. --test-to you@...      a proof of every language in your inbox, marked [TEST]
      3. (no option)            shows the plan and asks before sending; --yes in scripts
    Before any family gets a message, the issue's web editions and calendar files are
    published (the preference center serves them) and, for smtp and sendgrid, asked for:
    if one does not answer 200, nothing is sent (--skip-link-check sends anyway).
    Rerun the same command after a crash, an interruption or a fixed setting: it sends to
    everyone not yet sent to and to nobody twice. Several runs of it (on one machine or
    several, sharing one database) split the work between them. Families who already got
    the issue (e.g. through an overlapping segment) are skipped unless --resend.
    \b
    Settings: NEWSLETTER_SECRET and NEWSLETTER_BASE_URL (signed unsubscribe and preference
    links; the outbox demo works without them), SMTP_* or SENDGRID_* for those backends,
    NEWSLETTER_DB for the store.
    """
    from cli.progress_bar import Progress
    from cli.send_output import confirm, print_plan, print_proofs, print_report
    from workflows import sending

    settings = settings_of(ctx)
    request = sending.SendRequest(issue_dir, segment_name, backend, outbox_dir, reports_dir, audiences_path,
                                  resend=resend, retry_failed=retry_failed, resend_in_doubt=resend_in_doubt,
                                  skip_link_check=skip_link_check, allow_local_translations=allow_local_translations)
    job = sending.prepare(settings, request)
    for note in job.notes:
        click.echo(f"note: {note}", err=True)
    if test_to:
        proofs, warning = sending.test_send(settings, job, list(test_to))
        if warning:
            click.echo(f"warning: {warning}", err=True)
        print_proofs(job, proofs)
        return
    if dry_run:
        print_plan(job, sending.plan(settings, job))
        return
    progress = None

    def start(plan):
        nonlocal progress
        confirm(plan, yes)
        progress = Progress(plan.total)

    try:
        outcome = sending.send(settings, job, confirm=start, on_progress=lambda n: progress.update(n))
    finally:
        if progress is not None:
            progress.close()
    if outcome.report_path:
        click.echo(f"Report saved: {outcome.report_path}", err=True)
    print_report(job, outcome)
    if outcome.not_reached:
        raise FamiliesNotReached(outcome.not_reached, outcome.report_path, display_path(job.issue.path))


@click.command()
@click.option("--roster", type=click.Path(path_type=Path), default=Path("tests/fixtures/roster_sample.csv"),
              show_default=True, help="Roster to import into the store.")
@click.pass_context
def demo(ctx, roster: Path):
    """Try everything on the sample issues: build previews, import a sample roster, send to the outbox.

    Two offices' newsletters go to the same families: the Office of Equity Advancement's and
    Food and Nutrition Services' Sept/Oct 2021 issues (newsletters/equity/, newsletters/food/).
    Uses the embedded store (var/newsletter.db, or NEWSLETTER_DB) and the outbox backend:
    nothing leaves this machine. Safe to run again: families already sent to are skipped.
    """
    from cli.content_commands import build
    from cli.subscriber_commands import subscribers

    issues = [Path("newsletters/equity/2021-09-sept-oct"), Path("newsletters/food/2021-09-sept-oct")]
    click.echo("== 1. Build the previews ==")
    for issue in issues:
        ctx.invoke(build, issue_dir=issue, out_dir=None, drafts=False)
    click.echo(f"\n== 2. Import the sample roster ({roster}) ==")
    ctx.invoke(subscribers.commands["import"], file=roster, mappings=(), skip_invalid=True, dry_run=False,
               sheet=None, audiences_path=None, publication_names=())
    for number, issue in enumerate(issues, 3):
        click.echo(f"\n== {number}. Send {issue} to all-families through the outbox ==")
        ctx.invoke(send, issue_dir=issue, segment_name="all-families", backend="outbox", outbox_dir=Path("outbox"),
                   test_to=(), dry_run=False, yes=True, resend=False, retry_failed=False, resend_in_doubt=False,
                   skip_link_check=False, reports_dir=Path("reports"), audiences_path=None)
    click.echo("\nDone. Open build/equity/2021-09-sept-oct/index.html for the previews and outbox/equity/2021-09-sept-oct/ "
               "for the messages each family would get (the food newsletter: build/food/..., outbox/food/...).")
    web = _demo_address(issues[0], settings_of(ctx).base_url)
    click.echo("To open every link in those messages (web edition, calendar files, preferences, unsubscribe), run "
               "the preference center on this computer:\n    python compose.py serve --demo\nthen open "
               f"{web}/ (the web edition) or {web.rsplit('/', 1)[0]}/ (the archive).")
    click.echo("To write the next issue in the browser, open the staff studio on this computer:\n"
               "    python compose.py staff add you@example.org --name \"Your Name\" --role admin\n"
               "    python compose.py studio\nthen open the sign-in link it printed (http://127.0.0.1:8100/...) "
               "and set a password.")


def _demo_address(issue: Path, base_url: str) -> str:
    """Where the demo's web edition is: NEWSLETTER_BASE_URL (or the demo's) /<publication>/<issue>."""
    from blocks.loader import load_publication
    from common.settings import DEMO_BASE_URL
    from mailer.publish.naming import web_base
    publication = load_publication(issue.parent / "publication.yaml")
    return f"{web_base(publication, base_url or DEMO_BASE_URL)}/{issue.name}"
