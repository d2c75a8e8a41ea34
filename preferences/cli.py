"""`serve` (registered by compose.py): the preference center for local use."""
from __future__ import annotations

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
