"""Read queries of the store: one subscriber, streaming recipients and exports, segment counts."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, and_, exists, func, select

from mailer.store.records import Recipient, SegmentCount, StatusChange, Subscriber
from mailer.store.rules import clause_for
from mailer.store.tables import VALUE_TABLES, send_log, status_history, subscriber_schools, subscribers

SUBSCRIBED = subscribers.c.status == "subscribed"
_CHUNK = 500  # ids per IN (...) list


def values_for(connection: Connection, kind: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The schools, grades or topics (`kind`) of each id, sorted; ids without any are absent."""
    table, column = VALUE_TABLES[kind]
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        rows = connection.execute(select(table.c.subscriber_id, table.c[column])
                                  .where(table.c.subscriber_id.in_(ids[start:start + _CHUNK])))
        for subscriber_id, value in rows:
            found[subscriber_id].append(value)
    return {i: tuple(sorted(v)) for i, v in found.items()}


def history(connection: Connection, subscriber_id: int) -> tuple[StatusChange, ...]:
    rows = connection.execute(select(status_history).where(status_history.c.subscriber_id == subscriber_id)
                              .order_by(status_history.c.id))
    return tuple(StatusChange(r.old_status, r.new_status, r.changed_by, r.changed_at, r.reason) for r in rows)


def _subscriber(connection: Connection, row, values: dict[str, dict], with_history: bool) -> Subscriber:
    return Subscriber(
        id=row.id, email=row.email, name=row.name, language=row.language, status=row.status, source=row.source,
        consent_at=row.consent_at, preferences_at=row.preferences_at, created_at=row.created_at,
        updated_at=row.updated_at, schools=values["schools"].get(row.id, ()),
        grades=values["grades"].get(row.id, ()), topics=values["topics"].get(row.id, ()),
        history=history(connection, row.id) if with_history else ())


def subscriber(connection: Connection, email: str, *, history: bool = False) -> Subscriber | None:
    row = connection.execute(select(subscribers).where(subscribers.c.email == email)).first()
    if row is None:
        return None
    values = {kind: values_for(connection, kind, [row.id]) for kind in VALUE_TABLES}
    return _subscriber(connection, row, values, history)


def not_logged(issue: str, statuses: tuple[str, ...]):
    """Families with no send-log row of `issue` in one of `statuses` (done with this issue)."""
    return ~exists().where(send_log.c.issue == issue, send_log.c.subscriber_id == subscribers.c.id,
                           send_log.c.status.in_(statuses))


def recipient_batches(engine: Engine, segment, batch_size: int, after_id: int,
                      skip_logged: tuple[str, tuple[str, ...]] | None = None) -> Iterator[list[Recipient]]:
    condition = clause_for(segment)
    if skip_logged:
        condition = and_(condition, not_logged(*skip_logged))
    columns = (subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.language)
    while True:
        with engine.connect() as connection, connection.begin():
            rows = connection.execute(select(*columns).where(SUBSCRIBED, condition, subscribers.c.id > after_id)
                                      .order_by(subscribers.c.id).limit(batch_size)).all()
            if not rows:
                return
            ids = [r.id for r in rows]
            schools, topics = values_for(connection, "schools", ids), values_for(connection, "topics", ids)
        yield [Recipient(r.id, r.email, r.name, r.language, schools.get(r.id, ()), topics.get(r.id, ()))
               for r in rows]
        after_id = rows[-1].id


def all_subscribers(engine: Engine, batch_size: int) -> Iterator[Subscriber]:
    after_id = 0
    while True:
        with engine.connect() as connection, connection.begin():
            rows = connection.execute(select(subscribers).where(subscribers.c.id > after_id)
                                      .order_by(subscribers.c.id).limit(batch_size)).all()
            if not rows:
                return
            ids = [r.id for r in rows]
            values = {kind: values_for(connection, kind, ids) for kind in VALUE_TABLES}
            batch = [_subscriber(connection, row, values, False) for row in rows]
        yield from batch
        after_id = rows[-1].id


def count(connection: Connection, segment) -> SegmentCount:
    condition = clause_for(segment)
    by_language = dict(connection.execute(
        select(subscribers.c.language, func.count()).where(SUBSCRIBED, condition)
        .group_by(subscribers.c.language)).all())
    school = func.coalesce(subscriber_schools.c.school, "")
    by_school = dict(connection.execute(
        select(school, func.count(func.distinct(subscribers.c.id)))
        .select_from(subscribers.outerjoin(subscriber_schools, subscriber_schools.c.subscriber_id == subscribers.c.id))
        .where(SUBSCRIBED, condition).group_by(school)).all())
    excluded = dict(connection.execute(
        select(subscribers.c.status, func.count()).where(~SUBSCRIBED, condition)
        .group_by(subscribers.c.status)).all())
    return SegmentCount(total=sum(by_language.values()), by_language=ordered(by_language),
                        by_school=ordered(by_school), excluded=ordered(excluded))


def logged_counts(connection: Connection, segment, issue: str, statuses: tuple[str, ...]) -> dict[str, int]:
    """Subscribed families of `segment` whose send-log row of `issue` is in `statuses`, per status."""
    rows = connection.execute(
        select(send_log.c.status, func.count())
        .select_from(subscribers.join(send_log, send_log.c.subscriber_id == subscribers.c.id))
        .where(SUBSCRIBED, clause_for(segment), send_log.c.issue == issue, send_log.c.status.in_(statuses))
        .group_by(send_log.c.status))
    return dict(rows.all())


def ordered(counts: dict[str, int]) -> dict[str, int]:
    """Largest first, then by name."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
