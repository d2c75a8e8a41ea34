"""`serve` (registered by compose.py): the preference center for local use."""
from __future__ import annotations

import ipaddress
import os

import click


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True,
              help="Open the links of `compose.py demo`'s outbox messages: public demo secret, this computer only.")
def serve(host: str, port: int, demo: bool):
    """Run the preference center (unsubscribe, preferences, SendGrid webhook) on this computer.

    \b
    Needs NEWSLETTER_SECRET (at least 32 random characters, the same as for sends),
    NEWSLETTER_DB, and for the webhook SENDGRID_WEBHOOK_PUBLIC_KEY. --demo needs none of
    them. In production run it under gunicorn behind a TLS proxy (README):
      gunicorn -c preferences/gunicorn_conf.py preferences.wsgi:app
    """
    from werkzeug.serving import run_simple

    from common.errors import ConfigError
    from mailer.send.links import DEMO_BASE_URL
    from preferences.access_log import RequestHandler
    from preferences.app import create_app

    if demo and not _loopback(host):
        raise ConfigError("--host", f"{host} is not this computer: the demo's secret is public, so --demo "
                          "serves only 127.0.0.1 (or ::1, localhost)",
                          "drop --host, or set NEWSLETTER_SECRET and run without --demo",
                          outcome="the preference center did not start")
    app = create_app(demo=demo)
    if demo:
        links = os.environ.get("NEWSLETTER_BASE_URL") or DEMO_BASE_URL
        click.echo(f"Demo mode: signed with the public demo secret, for this computer only. The links in "
                   f"outbox/ point at {links}.", err=True)
    run_simple(host, port, app, threaded=True, request_handler=RequestHandler)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False

