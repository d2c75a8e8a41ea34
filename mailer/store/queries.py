"""Read queries of the store: one subscriber, streaming recipients and exports, segment counts."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, and_, exists, func, or_, select

from mailer.store.row_types import Recipient, SegmentCount, StatusChange, Subscriber
from mailer.store.rules import clause_for
from mailer.store.tables import (VALUE_TABLES, send_log, status_history, subscriber_schools, subscriber_unknown,
                                 subscribers)
from mailer.values.topics import TOPICS

SUBSCRIBED = subscribers.c.status == "subscribed"
EVERY_TOPIC = tuple(sorted(TOPICS))
_CHUNK = 500  # ids per IN (...) list


def values_for(connection: Connection, kind: str, ids: list[int]) -> dict[int, tuple[str, ...]]:
    """The schools, grades or topics (`kind`) of each id, sorted; ids without any are absent."""
    table, column = VALUE_TABLES[kind]
    return _by_id(connection, (table.c.subscriber_id, table.c[column]), ids)


def unknown_for(connection: Connection, ids: list[int]) -> dict[int, tuple[tuple[str, str], ...]]:
    """The unknown (field, value) pairs of each id, sorted; ids without any are absent."""
    table = subscriber_unknown
    return _by_id(connection, (table.c.subscriber_id, table.c.field, table.c.value), ids)


def _by_id(connection: Connection, columns: tuple, ids: list[int]) -> dict[int, tuple]:
    found: dict[int, list] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        for row in connection.execute(select(*columns).where(columns[0].in_(ids[start:start + _CHUNK]))):
            found[row[0]].append(row[1] if len(row) == 2 else tuple(row[1:]))
    return {i: tuple(sorted(v)) for i, v in found.items()}


def topics_for(connection: Connection, rows) -> dict[int, tuple[str, ...]]:
    """The topics of each row (with id and all_topics), sorted: every topic, or those stored."""
    chosen = values_for(connection, "topics", [r.id for r in rows if not r.all_topics])
    return {r.id: EVERY_TOPIC if r.all_topics else chosen.get(r.id, ()) for r in rows}


SEP, PAIR = "\x1f", "\x1e"  # control characters: roster cells never hold them (spreadsheet.clean_text)


def subscribers_with_values(connection: Connection, emails: list[str], kinds: tuple[str, ...]) -> dict[str, object]:
    """email -> row (id, email, name, language, status, preferences_at, all_topics, and per kind in
    `kinds` - schools, grades, topics, unknown - its values joined by SEP, unknown ones as
    field PAIR value, or None), for the stored addresses among `emails`: one query per 1,000."""
    columns = [subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.language,
               subscribers.c.status, subscribers.c.preferences_at, subscribers.c.all_topics]
    for kind in kinds:
        table, column = VALUE_TABLES.get(kind, (subscriber_unknown, None))
        value = table.c[column] if column else subscriber_unknown.c.field + PAIR + subscriber_unknown.c.value
        columns.append(select(func.aggregate_strings(value, SEP)).where(table.c.subscriber_id == subscribers.c.id)
                       .scalar_subquery().label(kind))
    found = {}
    for start in range(0, len(emails), 1000):
        rows = connection.execute(select(*columns).where(subscribers.c.email.in_(emails[start:start + 1000]))).all()
        found.update((row.email, row) for row in rows)
    return found


def history(connection: Connection, subscriber_id: int) -> tuple[StatusChange, ...]:
    rows = connection.execute(select(status_history).where(status_history.c.subscriber_id == subscriber_id)
                              .order_by(status_history.c.id))
    return tuple(StatusChange(r.old_status, r.new_status, r.changed_by, r.changed_at, r.reason,
                                      r.publication) for r in rows)


def _values(connection: Connection, rows) -> dict[str, dict]:
    ids = [r.id for r in rows]
    return {"schools": values_for(connection, "schools", ids), "grades": values_for(connection, "grades", ids),
            "topics": topics_for(connection, rows), "unknown": unknown_for(connection, ids)}


def _subscriber(connection: Connection, row, values: dict[str, dict], with_history: bool) -> Subscriber:
    return Subscriber(
        id=row.id, email=row.email, name=row.name, language=row.language, status=row.status, source=row.source,
        consent_at=row.consent_at, preferences_at=row.preferences_at, created_at=row.created_at,
        updated_at=row.updated_at, schools=values["schools"].get(row.id, ()),
        grades=values["grades"].get(row.id, ()), topics=values["topics"].get(row.id, ()),
        history=history(connection, row.id) if with_history else (), all_topics=row.all_topics,
        unknown=values["unknown"].get(row.id, ()))


def subscriber(connection: Connection, email: str, *, history: bool = False) -> Subscriber | None:
    row = connection.execute(select(subscribers).where(subscribers.c.email == email)).first()
    if row is None:
        return None
    return _subscriber(connection, row, _values(connection, [row]), history)


def not_logged(issue: str, statuses: tuple[str, ...]):
    """Families with no send-log row of `issue` in one of `statuses` (done with this issue)."""
    return ~exists().where(send_log.c.issue == issue, send_log.c.subscriber_id == subscribers.c.id,
                           send_log.c.status.in_(statuses))


def recipient_batches(engine: Engine, segment, batch_size: int, after_id: int,
                      skip_logged: tuple[str, tuple[str, ...]] | None = None) -> Iterator[list[Recipient]]:
    condition = clause_for(segment)
    if skip_logged:
        condition = and_(condition, not_logged(*skip_logged))
    columns = (subscribers.c.id, subscribers.c.email, subscribers.c.name, subscribers.c.language,
               subscribers.c.all_topics)
    while True:
        with engine.connect() as connection, connection.begin():
            rows = connection.execute(select(*columns).where(SUBSCRIBED, condition, subscribers.c.id > after_id)
                                      .order_by(subscribers.c.id).limit(batch_size)).all()
            if not rows:
                return
            schools, topics = values_for(connection, "schools", [r.id for r in rows]), topics_for(connection, rows)
        yield [Recipient(r.id, r.email, r.name, r.language, schools.get(r.id, ()), topics[r.id]) for r in rows]
        after_id = rows[-1].id


def all_subscribers(engine: Engine, batch_size: int) -> Iterator[Subscriber]:
    after_id = 0
    while True:
        with engine.connect() as connection, connection.begin():
            rows = connection.execute(select(subscribers).where(subscribers.c.id > after_id)
                                      .order_by(subscribers.c.id).limit(batch_size)).all()
            if not rows:
                return
            values = _values(connection, rows)
            batch = [_subscriber(connection, row, values, False) for row in rows]
        yield from batch
        after_id = rows[-1].id


def count(connection: Connection, segment) -> SegmentCount:
    condition = clause_for(segment)
    by_language = dict(connection.execute(
        select(subscribers.c.language, func.count()).where(SUBSCRIBED, condition)
        .group_by(subscribers.c.language)).all())
    school = func.coalesce(subscriber_schools.c.school, "")
    unknown_school = exists(select(subscriber_unknown.c.subscriber_id).where(
        subscriber_unknown.c.subscriber_id == subscribers.c.id, subscriber_unknown.c.field == "school"))
    by_school = dict(connection.execute(
        select(school, func.count(func.distinct(subscribers.c.id)))
        .select_from(subscribers.outerjoin(subscriber_schools, subscriber_schools.c.subscriber_id == subscribers.c.id))
        .where(SUBSCRIBED, condition, or_(subscriber_schools.c.school.is_not(None), ~unknown_school))
        .group_by(school)).all())
    unknown: dict[str, dict[str, int]] = defaultdict(dict)
    for name, value, n in connection.execute(
            select(subscriber_unknown.c.field, subscriber_unknown.c.value, func.count())
            .select_from(subscribers.join(subscriber_unknown, subscriber_unknown.c.subscriber_id == subscribers.c.id))
            .where(SUBSCRIBED, condition).group_by(subscriber_unknown.c.field, subscriber_unknown.c.value)):
        unknown[name][value] = n
    excluded = dict(connection.execute(
        select(subscribers.c.status, func.count()).where(~SUBSCRIBED, condition)
        .group_by(subscribers.c.status)).all())
    return SegmentCount(total=sum(by_language.values()), by_language=ordered(by_language),
                        by_school=ordered(by_school), excluded=ordered(excluded),
                        unknown={name: ordered(values) for name, values in sorted(unknown.items())})


def logged_counts(connection: Connection, segment, issue: str, statuses: tuple[str, ...], *,
                  languages: list[str] | None = None, not_owner: str | None = None) -> dict[str, int]:
    """Subscribed families of `segment` whose send-log row of `issue` is in `statuses`, per status;
    only those reading `languages` and whose row another run than `not_owner` wrote, if given."""
    also = ([subscribers.c.language.in_(languages)] if languages is not None else []) + \
        ([send_log.c.owner != not_owner] if not_owner is not None else [])
    rows = connection.execute(
        select(send_log.c.status, func.count())
        .select_from(subscribers.join(send_log, send_log.c.subscriber_id == subscribers.c.id))
        .where(SUBSCRIBED, clause_for(segment), send_log.c.issue == issue, send_log.c.status.in_(statuses), *also)
        .group_by(send_log.c.status))
    return dict(rows.all())


def ordered(counts: dict[str, int]) -> dict[str, int]:
    """Largest first, then by name."""
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
