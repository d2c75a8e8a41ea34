"""Alembic environment for the subscriber store.

Run by mailer.store.engine.migrate() on every open (with a connection passed in config.attributes),
or by hand from the repository root with alembic.ini: `alembic revision -m "..."`,
`alembic upgrade head` (the URL is NEWSLETTER_DB, read through common.settings, or var/newsletter.db).
"""
from alembic import context

from common.errors import NewsletterError
from common.settings import Settings

from mailer.store.engine import make_engine
from mailer.store.tables import metadata

connection = context.config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise NewsletterError("offline (--sql) migrations are not supported", "run against a database")
elif connection is not None:
    _run(connection)
else:
    settings = Settings.from_env()
    context.config.attributes.setdefault("publication", settings.legacy_publication)
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or settings.db or None)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
