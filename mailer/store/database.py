"""Where the subscriber store lives, connecting to it, and bringing its schema up to date.

The store is an embedded SQLite file, var/newsletter.db under the current directory, unless
NEWSLETTER_DB holds another SQLAlchemy URL, e.g. postgresql+psycopg://user:pw@host/newsletter.
Every open applies any pending Alembic migration from mailer/store/migrations/ (found next to this
file, so it works from any directory and in an editable install).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from common.errors import StoreError

ENV_VAR = "NEWSLETTER_DB"
DEFAULT_PATH = Path("var") / "newsletter.db"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def resolve_url(url: str | None = None) -> str:
    """The URL to use: `url` (Settings.db: NEWSLETTER_DB), else sqlite:///var/newsletter.db (absolute)."""
    url = url or ""
    if not url.strip():
        return f"sqlite:///{(Path.cwd() / DEFAULT_PATH).as_posix()}"
    return url.strip()


def describe(url: str) -> str:
    """A URL fit to print: no password; a SQLite file as its path."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (see resolve_url); creates the SQLite file's folder if needed."""
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{ENV_VAR}='{url}' is not a database URL",
                         "use e.g. sqlite:///var/newsletter.db or postgresql+psycopg://user@host/db") from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={"timeout": 30})
        _sqlite_transactions(engine)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True)
    except Exception as e:  # missing driver, bad options
        raise StoreError(f"cannot use database {describe(url)}: {e}",
                         "for PostgreSQL install the postgres extra: pip install -c constraints.txt -e '.[postgres]'") from None


def _sqlite_transactions(engine: Engine) -> None:
    """Real transactions on SQLite (also around DDL), foreign keys on, WAL for concurrent readers."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 30000")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a killed process loses nothing committed; only a power cut can
            # lose the last commits (then those families are sent again, same Message-ID)
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        # writers take the write lock up front, so a read-then-write transaction never hits SQLITE_BUSY
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest migration's revision id, read from the version files without loading Alembic
    (a test checks it agrees with Alembic's own answer). None if the history has several heads."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", source, re.M)
        if revision:
            revisions.add(revision[1])
            parents.update(re.findall(r"['\"]([^'\"]+)['\"]",
                                      (re.search(r"^down_revision\s*=\s*(.*)$", source, re.M) or ["", ""])[1]))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, or None for a new database."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:
        return None


def migrate(engine: Engine, revision: str = "head", publication: str = "") -> None:
    """Apply pending migrations (Alembic, configured in code: no alembic.ini needed).

    Skipped without loading Alembic when the database is already at the head revision.
    `publication`: which publication a store from before publications belongs to (0007;
    Settings.legacy_publication, NEWSLETTER_PUBLICATION).
    """
    if revision == "head" and head_revision() and current_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect().execution_options(sqlite_immediate=True) as connection, connection.begin():
        config.attributes["connection"] = connection
        config.attributes["publication"] = publication
        command.upgrade(config, revision)
