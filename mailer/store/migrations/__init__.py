"""The store's Alembic migrations: env.py (run on every Store.open() and by the `alembic` command)
and versions/ (0001, 0002, ...). AUTOGENERATE holds the options env.py gives Alembic, which
tests/mailer/test_store.py uses too: what `alembic revision --autogenerate` would propose on a
store at head is what that test sees, and it must be nothing."""
from __future__ import annotations


def compare_server_default(context, inspected_column, metadata_column, inspected_default, metadata_default,
                           rendered_metadata_default):
    """Alembic's own comparison of server defaults (None), except an empty string on SQLite: it reads
    back as "('')" and Alembic's SQLite comparison unquotes only non-empty strings, so every
    server_default="" would look changed there, always (the same columns compare equal on
    PostgreSQL). Not a difference: both sides are DEFAULT ''."""
    if context.dialect.name == "sqlite" and rendered_metadata_default in ("", "''") \
            and (inspected_default or "").removeprefix("(").removesuffix(")") == "''":
        return False
    return None


AUTOGENERATE = {
    "compare_type": True,
    "compare_server_default": compare_server_default,
    # Batch mode off: autogenerate writes plain op.add_column/op.alter_column. A migration that
    # SQLite cannot do in place uses `with op.batch_alter_table(...)` explicitly, and never on
    # subscribers (see env.py).
    "render_as_batch": False,
}
