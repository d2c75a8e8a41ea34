"""Bring a roster into the store: plan every change, then apply it in one transaction.

The families come a chunk at a time (BATCH) from the roster's staging database (mailer.roster.
staging): each chunk is compared with the store and, when the import writes, written before
the next is read, all inside the one transaction, so memory stays bounded whatever the roster's
size and an import that fails half-way leaves the store as it was. Whether it writes is known
before the first chunk: the rows it refuses were all found while the roster was read.

Rules: new addresses are added as subscribed, following every topic (or the topics the roster
lists); a subscribed family's name, schools, grades and unknown values follow the roster, and
its language and topics too until the family has chosen them itself; unsubscribed, bounced and
complained addresses are never touched ("kept suppressed"). Families missing from the roster
are left alone. Re-importing changes nothing. Rows whose language nobody knows block the
import unless `skip_invalid`: then their families get the publication's default language.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, String, and_, bindparam, func, insert, literal, select, update

from mailer.roster.families import BadRow, Family, Roster, UnknownValue, collect_young, without_gc_pauses
from mailer.store.queries import PAIR, SEP, subscribers_with_values
from mailer.store.subscribers import Store
from mailer.store.writes import bind_value, insert_rows, replace_unknown, replace_values
from mailer.store.subscriptions import subscribe_new
from mailer.store.tables import (VALUE_TABLES, UTCDateTime, status_history, subscriber_unknown, subscribers,
                                 utcnow)

BATCH = 5000  # families planned and written per round trip
KEPT = 1000   # added and updated families the report keeps (it counts them all)
UNKNOWN_COLUMN = {"school": "school", "grade": "grade", "topic": "topics", "language": "language"}


@dataclass
class Update:
    id: int
    family: Family
    changes: list[str]  # e.g. ["language pt -> es", "schools aiken -> aiken, hall"]
    name: str | None
    language: str
    all_topics: bool
    topics: set[str] | None  # None: leave the stored topics alone
    unknown_fields: tuple[str, ...]  # whose unknown values to replace


class Counted(Sequence):
    """A report's list of added or updated families: len() counts them all, while only the first
    `keep` are kept (to list; the text report lists 20), so that a report on a roster of any size
    stays small."""

    def __init__(self, keep: int | None = None):
        self.kept: list = []
        self.total, self.keep = 0, KEPT if keep is None else keep

    def append(self, item) -> None:
        self.total += 1
        if len(self.kept) < self.keep:
            self.kept.append(item)

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __getitem__(self, index):
        return self.kept[index]

    def __iter__(self) -> Iterator:
        return iter(self.kept)

    def __repr__(self) -> str:
        return f"Counted({self.total}, first {len(self.kept)}: {self.kept[:3]!r}...)"


@dataclass
class ImportReport:
    source: str
    rows: int
    families: int
    added: Counted = field(default_factory=Counted)    # of Family
    updated: Counted = field(default_factory=Counted)  # of Update
    unchanged: int = 0
    kept_suppressed: list[tuple[str, str]] = field(default_factory=list)  # (email, status)
    rejected: list[BadRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    written: bool = False
    default_language: str = "en"
    fallbacks: list[BadRow] = field(default_factory=list)  # unknown language: imported in the default one
    unknown: list[UnknownValue] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    publications: tuple[str, ...] = ()    # the families follow these publications (subscriptions)
    subscribed: dict[str, int] = field(default_factory=dict)   # newly subscribed, per publication


def import_roster(store: Store, roster: Roster, *, skip_invalid: bool = False, dry_run: bool = False,
                  default_language: str = "en", publications: tuple[str, ...] = ()) -> ImportReport:
    """Plan the import of `roster` and, unless `dry_run` or (without `skip_invalid`) any row
    was rejected, apply it in a single transaction: on any error nothing is written."""
    with without_gc_pauses(), store.write() as connection:
        report = _report(roster, skip_invalid, default_language)
        report.publications = tuple(publications)
        write = not (dry_run or (report.rejected and not skip_invalid))
        subscribed = {publication: 0 for publication in publications}
        for families in _chunks(roster):
            collect_young()
            added, updated = _plan_chunk(connection, families, roster.columns, report)
            if not write:
                continue
            if added:
                _add_batch(connection, added, roster.source, report.default_language)
            if updated:
                _update_batch(connection, updated, roster.columns)
            for publication, count in subscribe_new(connection, [f.email for f in families], publications,
                                                    by=roster.source).items():
                subscribed[publication] += count
        if not write:
            connection.rollback()
            return report
        report.subscribed = subscribed
    report.written = True
    return report


def plan(connection: Connection, roster: Roster, skip_invalid: bool = False,
         default_language: str = "en") -> ImportReport:
    """What importing `roster` would do, writing nothing."""
    report = _report(roster, skip_invalid, default_language)
    for families in _chunks(roster):
        _plan_chunk(connection, families, roster.columns, report)
    return report


def _chunks(roster: Roster) -> Iterator[list[Family]]:
    chunks = getattr(roster.families, "chunks", None)
    if chunks is not None:
        yield from chunks(BATCH)
        return
    families = list(roster.families.values())       # a roster made by hand (a plain dict)
    for start in range(0, len(families), BATCH):
        yield families[start:start + BATCH]


def _report(roster: Roster, skip_invalid: bool, default_language: str) -> ImportReport:
    blocking = [] if skip_invalid else roster.language_rows
    return ImportReport(roster.source, roster.rows, len(roster.families),
                        rejected=sorted(roster.rejected + blocking, key=lambda bad: bad.row),
                        notes=list(roster.notes), default_language=default_language,
                        fallbacks=list(roster.language_rows) if skip_invalid else [],
                        unknown=list(roster.unknown), warnings=list(roster.warnings))


def _plan_chunk(connection: Connection, families: list[Family], columns: dict,
                report: ImportReport) -> tuple[list[Family], list[Update]]:
    """Compare a chunk of families with the store, counting each in `report`: (to add, to update)."""
    kinds = tuple(kind for kind, column in (("schools", "school"), ("grades", "grade"), ("topics", "topics"))
                  if column in columns)
    kinds += ("unknown",) if any(column in columns for column in UNKNOWN_COLUMN.values()) else ()
    existing = subscribers_with_values(connection, [f.email for f in families], kinds)
    added, updated = [], []
    for family in families:
        row = existing.get(family.email)
        if row is None:
            added.append(family)
            report.added.append(family)
        elif row.status != "subscribed":
            report.kept_suppressed.append((family.email, row.status))
        else:
            change = _compare(row, family, columns)
            if change.changes:
                updated.append(change)
                report.updated.append(change)
            else:
                report.unchanged += 1
    return added, updated


def _stored(row, kind: str) -> set:
    text = getattr(row, kind, None)
    return set(text.split(SEP)) if text else set()


def _compare(row, family: Family, columns: dict) -> Update:
    changes = []
    name, language, chosen = row.name, row.language, row.preferences_at is not None
    if family.name and family.name != row.name:
        changes.append(f"name {row.name or '(none)'} -> {family.name}")
        name = family.name
    if family.language and family.language != row.language and not chosen:
        changes.append(f"language {row.language} -> {family.language}")
        language = family.language
    for kind, column in (("schools", "school"), ("grades", "grade")):
        old, new = _stored(row, kind), getattr(family, kind)
        if column in columns and old != new:
            changes.append(f"{kind} {_listed(old)} -> {_listed(new)}")
    all_topics, topics = row.all_topics, None
    if "topics" in columns and not chosen:
        wanted, stored = (family.topics is None, family.topics or set()), _stored(row, "topics")
        if wanted != (row.all_topics, stored):
            changes.append(f"topics {_topics(row.all_topics, stored)} -> {_topics(*wanted)}")
            all_topics, topics = wanted
    fields = tuple(f for f, column in UNKNOWN_COLUMN.items() if column in columns
                   and not (f in ("language", "topic") and chosen))
    if fields and (family.unknown or row.unknown):
        old_pairs = {tuple(pair.split(PAIR, 1)) for pair in _stored(row, "unknown")}
        for name_of in fields:
            old = {v for f, v in old_pairs if f == name_of}
            new = {v for f, v in family.unknown if f == name_of}
            if old != new:
                changes.append(f"unknown {name_of} {_listed(old)} -> {_listed(new)}")
    return Update(row.id, family, changes, name, language, all_topics, topics, fields)


def _listed(values) -> str:
    return ", ".join(sorted(values)) or "(none)"


def _topics(every: bool, topics) -> str:
    return "every topic" if every else _listed(topics)


def _add_batch(connection: Connection, families: list[Family], source: str, default_language: str) -> None:
    now = utcnow()
    stamp = bind_value(connection, subscribers.c.created_at, now)  # once, not once per row
    before = connection.execute(select(func.max(subscribers.c.id))).scalar() or 0
    insert_rows(connection, subscribers, ["email", "name", "language", "status", "source", "consent_at", "created_at",
                                          "updated_at", "all_topics"],
                [(f.email, f.name, f.language or default_language, "subscribed", source, stamp, stamp, stamp,
                  f.topics is None) for f in families])
    # This batch's rows: ids above those there were (a sequence only grows), inserted at `now` by this
    # import (no long IN lists: they are slow to send; no scan of the whole table either)
    new = and_(subscribers.c.id > before, subscribers.c.created_at == now, subscribers.c.source == source)
    ids = dict(connection.execute(select(subscribers.c.email, subscribers.c.id).where(new)).all())
    history = connection.execute(insert(status_history).from_select(
        ["subscriber_id", "old_status", "new_status", "changed_by", "changed_at", "reason"],
        select(subscribers.c.id, literal(None, String), literal("subscribed"), literal(source),
               literal(now, UTCDateTime()), literal("on the roster")).where(new))
        .execution_options(preserve_rowcount=True))
    if len(ids) != len(families) or history.rowcount != len(ids):  # never expected; rolls the import back
        raise RuntimeError(f"import batch mismatch: {len(ids)} new rows, {history.rowcount} history rows for "
                           f"{len(families)} families")
    for kind, (table, column) in VALUE_TABLES.items():
        insert_rows(connection, table, ["subscriber_id", column],
                    [(ids[f.email], v) for f in families for v in getattr(f, kind) or ()])
    insert_rows(connection, subscriber_unknown, ["subscriber_id", "field", "value"],
                [(ids[f.email], k, v) for f in families for k, v in f.unknown])


def _update_batch(connection: Connection, updates: list[Update], columns: dict) -> None:
    now = utcnow()
    connection.execute(
        update(subscribers).where(subscribers.c.id == bindparam("b_id"))
        .values(name=bindparam("b_name"), language=bindparam("b_language"), all_topics=bindparam("b_all"),
                updated_at=now),
        [{"b_id": u.id, "b_name": u.name, "b_language": u.language, "b_all": u.all_topics} for u in updates])
    if "school" in columns:
        replace_values(connection, "schools", {u.id: sorted(u.family.schools) for u in updates})
    if "grade" in columns:
        replace_values(connection, "grades", {u.id: sorted(u.family.grades) for u in updates})
    replace_values(connection, "topics", {u.id: sorted(u.topics) for u in updates if u.topics is not None})
    for fields in {u.unknown_fields for u in updates}:
        replace_unknown(connection, fields, {u.id: u.family.unknown for u in updates if u.unknown_fields == fields})
