"""`serve` and `report` (registered by compose.py)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int):
    """Run the preference center (unsubscribe, preferences, SendGrid webhook) for local use.

    \b
    Needs NEWSLETTER_SECRET (the same as when sending), NEWSLETTER_DB, and for the webhook
    SENDGRID_WEBHOOK_PUBLIC_KEY. In production run it under gunicorn:
      gunicorn -w 2 -b 0.0.0.0:8000 "preferences.wsgi:app"
    """
    import os
    from common.errors import ConfigError
    from mailer.send.links import DEMO_BASE_URL, DEMO_SECRET, LinkSigner
    from preferences.app import create_app

    try:
        signer = LinkSigner.from_env()
    except ConfigError:
        signer = LinkSigner(os.environ.get("NEWSLETTER_SECRET") or DEMO_SECRET, DEMO_BASE_URL)
        click.echo("note: NEWSLETTER_SECRET is not set: using the demo secret, which only opens links "
                   "from demo sends to the outbox.", err=True)
    create_app(signer=signer).run(host=host, port=port)


@click.command()
@click.argument("issue_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="HTML report to write (default: build/<issue>/report.html).")
def report(issue_dir: Path, out_file: Path | None):
    """Reach of an issue per language and per school: sent, delivered, bounced, opened, clicked, unsubscribed."""
    from mailer.reports.reach import OPENS_CAVEAT, html_page, reach, table
    from mailer.store.subscribers import Store

    slug = issue_dir.resolve().name
    with Store.open() as store:
        languages, schools = reach(store, slug)
    if not languages:
        click.echo(f"Nothing has been sent for {slug} yet.")
        return
    click.echo(table(languages, "language"))
    click.echo()
    click.echo(table(schools, "school"))
    click.echo(f"\n{OPENS_CAVEAT}")
    out_file = out_file or Path("build") / slug / "report.html"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(html_page(slug, languages, schools), encoding="utf-8")
    click.echo(f"Wrote {out_file}")
