"""The audit log: every sign-in (and refusal) and every change, with who, when, which file, what."""
from __future__ import annotations

import datetime as dt
import difflib

from sqlalchemy import insert, select

from mailer.store.tables import staff_audit


def record(store, at: dt.datetime, actor: str, action: str, *, publication: str | None = None,
           path: str | None = None, detail: str = "") -> None:
    with store.write() as connection:
        connection.execute(insert(staff_audit).values(at=at, actor=actor, action=action, publication=publication,
                                                      path=path, detail=detail))


def diff(before: str, after: str, path: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(True), after.splitlines(True), f"{path} (before)",
                                        f"{path} (after)"))


def entries(store, *, publication: str | None = None, path: str | None = None, limit: int = 200) -> list:
    query = select(staff_audit).order_by(staff_audit.c.at.desc(), staff_audit.c.id.desc()).limit(limit)
    if publication is not None:
        query = query.where(staff_audit.c.publication == publication)
    if path is not None:
        query = query.where(staff_audit.c.path == path)
    with store.read() as connection:
        return connection.execute(query).all()
