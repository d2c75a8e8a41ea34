"""Sign-in attempts: at most N failures per account (known or not) and M per client address within
a window; past that every attempt gets the same "too many attempts" answer, right password or not."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select

from mailer.store.tables import staff_sign_ins


def locked(store, settings, email: str, address: str, now: dt.datetime) -> bool:
    since = now - dt.timedelta(minutes=settings.attempt_minutes)
    table = staff_sign_ins
    with store.read() as connection:
        last_ok = connection.execute(select(func.max(table.c.at)).where(
            table.c.email == email, table.c.ok.is_(True))).scalar()
        after = max(since, last_ok) if last_ok else since
        by_account = connection.execute(select(func.count()).select_from(table).where(
            table.c.email == email, table.c.ok.is_(False), table.c.at > after)).scalar()
        by_address = connection.execute(select(func.count()).select_from(table).where(
            table.c.address == address, table.c.ok.is_(False), table.c.at > since)).scalar()
    return by_account >= settings.account_attempts or by_address >= settings.address_attempts


def attempt(store, email: str, address: str, ok: bool, now: dt.datetime) -> None:
    with store.write() as connection:
        connection.execute(insert(staff_sign_ins).values(email=email[:320], address=address[:64], at=now, ok=ok))
