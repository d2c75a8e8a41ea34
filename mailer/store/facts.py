"""Facts about the store itself (the store_facts table, one row per name).

    legacy_publication   the publication of the issues this store sent before publications existed
                         (written by migration 0008_legacy_publication): links in those newsletters
                         name only the issue, and belong to it
"""
from __future__ import annotations

from sqlalchemy import Connection, select

from mailer.store.tables import store_facts

LEGACY_PUBLICATION = "legacy_publication"


def fact(connection: Connection, name: str) -> str | None:
    """The stored value of `name`, or None."""
    return connection.execute(select(store_facts.c.value).where(store_facts.c.name == name)).scalar()


def legacy_publication(store) -> str | None:
    """The publication whose links name no publication (sent before publications), if the store had any."""
    with store.read() as connection:
        return fact(connection, LEGACY_PUBLICATION)
