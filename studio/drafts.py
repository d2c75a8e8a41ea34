"""Each person's working copy of an issue, kept in the store as they type (so nothing is lost to a
closed tab), with the hash of issue.yaml as it was when they opened it: saving over a file that
changed since is refused (studio/editor.py shows both versions)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import and_, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from mailer.store.tables import studio_drafts
from studio import documents


@dataclass(frozen=True)
class Draft:
    text: str
    base_hash: str
    undo: str
    base_text: str = ""


def _where(account_id: int, publication: str, issue: str):
    t = studio_drafts.c
    return and_(t.account_id == account_id, t.publication == publication, t.issue == issue)


def current(store, account_id: int, publication: str, issue: str, path: Path, now: dt.datetime) -> Draft:
    """The person's draft of the issue, or a new one from the file as it is. Two requests of one
    person at once (the editor and its preview) may both find none: the second to write keeps the
    first's draft (one transaction: read, then insert only if still missing)."""
    with store.read() as connection:
        row = connection.execute(select(studio_drafts).where(_where(account_id, publication, issue))).first()
    if row is not None:
        return Draft(row.text, row.base_hash, row.undo)
    text = Path(path).read_text(encoding="utf-8")
    try:
        with store.write() as connection:
            row = connection.execute(select(studio_drafts).where(_where(account_id, publication, issue))).first()
            if row is not None:
                return Draft(row.text, row.base_hash, row.undo)
            connection.execute(insert(studio_drafts).values(account_id=account_id, publication=publication,
                                                            issue=issue, base_hash=documents.digest(text), text=text,
                                                            undo="", updated_at=now))
    except IntegrityError:                     # PostgreSQL: the other request's insert won; use its draft
        with store.read() as connection:
            row = connection.execute(select(studio_drafts).where(_where(account_id, publication, issue))).one()
        return Draft(row.text, row.base_hash, row.undo)
    return Draft(text, documents.digest(text), "")


def keep(store, account_id: int, publication: str, issue: str, text: str, now: dt.datetime, *,
         undo: str | None = None, base_hash: str | None = None) -> None:
    values = {"text": text, "updated_at": now}
    if undo is not None:
        values["undo"] = undo
    if base_hash is not None:
        values["base_hash"] = base_hash
    with store.write() as connection:
        connection.execute(update(studio_drafts).where(_where(account_id, publication, issue)).values(**values))


def drop(store, account_id: int, publication: str, issue: str) -> None:
    with store.write() as connection:
        connection.execute(delete(studio_drafts).where(_where(account_id, publication, issue)))
