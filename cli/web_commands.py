"""`serve` and `publish` (registered by compose.py): the preference center for local use, and
a sent issue's web editions as files for a static host."""
from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from cli.run_settings import settings_of


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True,
              help="Open the links of `compose.py demo`'s outbox messages: public demo secret, this computer only.")
def serve(host: str, port: int, demo: bool):
    """Run the preference center (unsubscribe, preferences, SendGrid webhook, and the web
    editions of sent issues with their archive: /<slug>/) on this computer.

    \b
    Needs NEWSLETTER_SECRET (at least 32 random characters, the same as for sends),
    NEWSLETTER_DB, and for the webhook SENDGRID_WEBHOOK_PUBLIC_KEY. --demo needs none of
    them. In production run it under gunicorn behind a TLS proxy (README):
      gunicorn -c family_web/gunicorn_conf.py family_web.wsgi:app
    """
    from werkzeug.serving import run_simple

    from blocks.loader import load_publications
    from common.errors import ConfigError
    from mailer.publish.naming import web_base
    from common.settings import DEMO_BASE_URL
    from family_web.access_log import RequestHandler
    from family_web.web_app import create_app

    if demo and not _loopback(host):
        raise ConfigError("--host", f"{host} is not this computer: the demo's secret is public, so --demo "
                          "serves only 127.0.0.1 (or ::1, localhost)",
                          "drop --host, or set NEWSLETTER_SECRET and run without --demo",
                          outcome="the preference center did not start")
    settings = settings_of()
    app = create_app(settings, demo=demo)
    if demo:
        links = settings.base_url or DEMO_BASE_URL
        archives = ", ".join(f"{web_base(publication, links)}/" for publication in load_publications().values())
        click.echo(f"Demo mode: signed with the public demo secret, for this computer only. The links in "
                   f"outbox/ point at {links}; the web editions and archives are at {archives}.", err=True)
    run_simple(host, port, app, threaded=True, request_handler=RequestHandler)


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@click.command()
@click.argument("issue_dir", type=click.Path(path_type=Path))
@click.option("--to", "out_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder to write into: upload it as the publication's web_base_url.")
def publish(issue_dir: Path, out_dir: Path):
    """Write a sent issue's web editions, calendar files, archive and feed into a folder.

    \b
    Only for a publication whose web_base_url is another host (a static site): by default the
    preference center serves all of this itself. What is written is what the send published
    (the editions families got), never the YAML as it is now:
      python compose.py publish newsletters/equity/2021-09-sept-oct --to site/
    then upload site/ to the web_base_url of newsletters/equity/publication.yaml.
    """
    from blocks.content_tree import library_folder
    from blocks.loader import load_publication
    from common.errors import NewsletterError
    from common.problems import Problem
    from common.yaml_source import display_path
    from mailer.store.subscribers import Store
    from family_web.static_export import export

    newsletters = issue_dir.parent
    if not (newsletters / "publication.yaml").is_file():
        raise NewsletterError([Problem(display_path(issue_dir), "", "not an issue of a publication",
                                       "give newsletters/<publication>/<issue>, e.g. "
                                       "newsletters/equity/2021-09-sept-oct")])
    publication = load_publication(newsletters / "publication.yaml")
    settings = settings_of()
    with Store.of(settings) as store:
        written = export(store, publication, newsletters, issue_dir.name, out_dir,
                         library_folder(issue_dir, settings.library))
    click.echo(f"Wrote {len(written)} files into {out_dir}/: {issue_dir.name}/ (its editions and calendar files), "
               "index.html (the archive), feed.atom" + (", foodshare-<language>.ics" if any(
                   name.startswith("foodshare-") for name in written) else "") + ".")
    if publication.get("web_base_url"):
        click.echo(f"Upload {out_dir}/ to {publication.web_base_url.rstrip('/')}/ (the messages link there).")
    else:
        click.echo(f"({display_path(newsletters / 'publication.yaml')} sets no web_base_url: the preference center "
                   "serves these pages itself at NEWSLETTER_BASE_URL/<slug>/, and the messages link there.)")
