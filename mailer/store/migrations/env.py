"""Alembic environment for the subscriber store.

Run by mailer.store.database.migrate() on every open (with a connection passed in config.attributes),
or by hand from the repository root with alembic.ini (the URL is NEWSLETTER_DB, read through
common.settings, or var/newsletter.db): `alembic upgrade head`,
`alembic revision --autogenerate --rev-id NNNN -m "..."` (NNNN: the next free number, see
alembic.ini), `alembic check` (nothing to propose).

Every table is in mailer.store.tables.metadata, the target here: a table declared anywhere else
would look dropped to autogenerate. The comparison options (types and server defaults compared)
are mailer.store.migrations.AUTOGENERATE, shared with tests/mailer/test_store.py.

Batch mode is OFF (render_as_batch=False), decided once: autogenerate writes plain ALTER TABLE
operations, which SQLite does in place for adding a column (nullable, or NOT NULL with a server
default), renaming one, and (3.35+) dropping one that no index or constraint uses. A migration that
SQLite cannot do in place (changing a column's type or nullability, adding a constraint) uses
`with op.batch_alter_table("<table>")` explicitly, on that table only (0004 does, on send_log),
and NEVER on `subscribers`: batch mode copies the table and drops the original, and with foreign
keys on, SQLite's DROP TABLE deletes every row that references it (schools, grades, topics,
history, subscriptions, send log: ON DELETE CASCADE). There, write plain operations (0005, 0007)
or, if it cannot be done in place, a new column and a data copy.
"""
from alembic import context

from common.errors import NewsletterError
from common.settings import Settings

from mailer.store.database import make_engine
from mailer.store.migrations import AUTOGENERATE
from mailer.store.tables import metadata

connection = context.config.attributes.get("connection")


def _run(conn) -> None:
    context.configure(connection=conn, target_metadata=metadata, **AUTOGENERATE)
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
