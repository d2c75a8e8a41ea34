"""`compose.py studio` (the studio on one machine) and `compose.py staff ...` (staff accounts),
registered by compose.py."""
from __future__ import annotations

import datetime as dt
import click

from cli.run_settings import settings_of

from studio.studio_settings import StudioSettings


def _store():
    from mailer.store.subscribers import Store
    settings = settings_of()
    return Store.of(settings)


def _settings(allow_demo: bool) -> StudioSettings:
    return StudioSettings.from_settings(settings_of(), allow_demo=allow_demo)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@click.command("studio")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8100, show_default=True, type=int, help="Port to listen on.")
@click.option("--backend", type=click.Choice(["outbox", "smtp", "sendgrid"]), default=None,
              help="What sends confirmed in the studio go through (the worker runs them; proofs too); default: "
                   "NEWSLETTER_STUDIO_BACKEND, else outbox.")
def studio(host: str, port: int, backend: str | None = None):
    """Start the staff studio on this machine: sign in, write issues in the browser.

    Without NEWSLETTER_STUDIO_SECRET it uses a public demo secret, and only on 127.0.0.1.
    For a server, see README "Running it in production" (gunicorn studio.wsgi:app).
    """
    from werkzeug.serving import run_simple

    from studio.app import create_app
    from studio.send_pages import SendDesk
    app = create_app(_settings(allow_demo=host in ("127.0.0.1", "localhost")), store=_store(),
                     sending=SendDesk(settings_of(), backend=backend or settings_of().studio_backend or "outbox"))
    click.echo(f"Studio on http://{host}:{port}/ (Ctrl-C stops it). New staff: python compose.py staff add EMAIL ...")
    run_simple(host, port, app, threaded=True)


@click.group()
def staff():
    """Staff accounts of the studio: add, list, remove, reset (a new one-time sign-in link)."""


def _link(token: str) -> str:
    return f"{_settings(allow_demo=True).public_url}/set-password/{token}"


@staff.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's name, as the studio shows it.")
@click.option("--role", required=True, type=click.Choice(["editor", "translator", "sender", "admin"]),
              help="editor: write issues and library blocks; translator: review and approve the translations "
                   "of the --language given; admin: every publication and staff accounts.")
@click.option("--publication", "publications", multiple=True, help="A publication's slug (repeatable); not for admin.")
@click.option("--language", "languages", multiple=True,
              help="For a translator: a language they review, e.g. es, pt, zh_Hans (repeatable).")
def add(email: str, name: str, role: str, publications: tuple[str, ...], languages: tuple[str, ...]):
    """Add a staff account and print its one-time sign-in link (24 hours) to set a password."""
    from studio import accounts, audit   # here, not at start-up: check and build start fast
    if role != "admin" and not publications:
        raise click.UsageError(f"an {role} needs --publication SLUG (e.g. --publication equity)")
    if (role == "translator") != bool(languages):
        raise click.UsageError("a translator needs --language CODE (e.g. --language es --language pt)"
                               if role == "translator" else "--language is for translators (--role translator)")
    codes = [_language_code(lang) for lang in languages]
    grants = [(role, p) for p in publications] if role != "admin" else [("admin", accounts.EVERY)]
    with _store() as store:
        now = _now()
        token = accounts.add(store, email, name, grants, now, [(p, lang) for p in publications for lang in codes])
        audit.record(store, now, "cli", "staff-add", detail=f"{email}: {role} {', '.join(publications) or 'all'}"
                     + (f" ({', '.join(codes)})" if codes else ""))
    click.echo(f"Added {email} ({role}{' of ' + ', '.join(publications) if publications else ''}"
               f"{' in ' + ', '.join(codes) if codes else ''}).")
    click.echo(f"Send them this one-time link (it works once, for {accounts.LINK_HOURS} hours) to set a password:")
    click.echo(f"  {_link(token)}")


def _language_code(text: str) -> str:
    from blocks.kinds import Language
    from common.problems import FieldError
    try:
        return Language().clean(text.replace("-", "_"))
    except FieldError as e:
        raise click.UsageError(f"--language {text}: {e.message} ({e.hint})") from None


@staff.command("list")
def list_command():
    """Every staff account with its roles."""
    from studio import accounts   # here, not at start-up: check and build start fast
    with _store() as store:
        found = accounts.everyone(store)
    if not found:
        click.echo("No staff account yet: python compose.py staff add EMAIL --name NAME --role editor --publication SLUG")
    for person in found:
        roles = "; ".join(f"{', '.join(sorted(r))} of {'every publication' if p == accounts.EVERY else p}"
                          + (f" in {', '.join(sorted(person.languages[p]))}" if person.languages.get(p) else "")
                          for p, r in sorted(person.roles.items()))
        state = "" if person.has_password else " (no password yet)"
        click.echo(f"{person.email:<36} {person.name:<24} {roles}{state}")


@staff.command("remove")
@click.argument("email")
def remove(email: str):
    """Remove a staff account (its sessions end at once; the audit log keeps what it did)."""
    from studio import accounts, audit   # here, not at start-up: check and build start fast
    with _store() as store:
        accounts.remove(store, email)
        audit.record(store, _now(), "cli", "staff-remove", detail=email)
    click.echo(f"Removed {email}.")


@staff.command("reset")
@click.argument("email")
def reset(email: str):
    """A new one-time sign-in link; the old password and every session stop working."""
    from studio import accounts, audit   # here, not at start-up: check and build start fast
    with _store() as store:
        now = _now()
        token = accounts.reset(store, email, now)
        audit.record(store, now, "cli", "staff-reset", detail=email)
    click.echo(f"Send {email} this one-time link (it works once, for {accounts.LINK_HOURS} hours) to set a new password:")
    click.echo(f"  {_link(token)}")
