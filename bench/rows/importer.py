"""Row 7: roster import of 10,000 families, against a bare executemany insert of the same rows.

Ours: what `compose.py subscribers import roster.csv` does, through the Python API:
mailer.roster.read_roster + mailer.importer.import_roster, into a fresh store; then the same
again into the now full store (idempotent: nothing changes). Reference: sqlite3 executemany
of the same families into subscribers + subscriber_schools of a fresh store, one transaction.
Every store starts as a copy of one freshly migrated empty store, on disk. Per-address caches
are cleared before each import, as in a new process.
"""
from __future__ import annotations

import shutil
import sqlite3
import statistics
import time

from bench_common import Row, duration
from fixtures import read_roster, sqlite_url, write_roster


def cold_caches() -> None:
    """Forget what an earlier import in this process memoized (a real import is a new process)."""
    from mailer.values.emails import _ascii_domain, normalize_email
    from mailer.values.grades import grade_code
    from mailer.values.languages import language_code
    for cached in (normalize_email, _ascii_domain, grade_code, language_code):
        cached.cache_clear()


def import_once(url: str, roster_path) -> tuple[float, float, object]:
    """(seconds reading the roster, seconds importing it, the report)."""
    from mailer.roster.importer import import_roster
    from mailer.store.subscribers import Store
    cold_caches()
    start = time.perf_counter()
    roster = read_roster(roster_path)
    read = time.perf_counter() - start
    with Store.open(url, migrate=False) as store:
        start = time.perf_counter()
        report = import_roster(store, roster)
        return read, time.perf_counter() - start, report


NOW = "2021-09-15 07:00:00.000000"


def equivalent_rows(roster_path) -> dict[str, list[tuple]]:
    """The rows an import of the roster writes, as plain tuples, per table (a family that follows
    every topic has all_topics set and no topic rows; a clean roster has no unknown values)."""
    roster = read_roster(roster_path)
    rows = {"subscribers": [], "subscriber_schools": [], "subscriber_grades": [], "status_history": []}
    for number, family in enumerate(roster.families.values(), start=1):
        rows["subscribers"].append((number, family.email, family.name, family.language or "en", "subscribed",
                                    roster.source, NOW, NOW, NOW, True))
        rows["subscriber_schools"].extend((number, school) for school in sorted(family.schools))
        rows["subscriber_grades"].extend((number, grade) for grade in sorted(family.grades))
        rows["status_history"].append((number, None, "subscribed", roster.source, NOW, "on the roster"))
    return rows


INSERTS = {
    "subscribers": "INSERT INTO subscribers (id, email, name, language, status, source, consent_at, created_at, "
                   "updated_at, all_topics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "subscriber_schools": "INSERT INTO subscriber_schools (subscriber_id, school) VALUES (?, ?)",
    "subscriber_grades": "INSERT INTO subscriber_grades (subscriber_id, grade) VALUES (?, ?)",
    "status_history": "INSERT INTO status_history (subscriber_id, old_status, new_status, changed_by, changed_at, "
                      "reason) VALUES (?, ?, ?, ?, ?, ?)",
}


def bare_insert(path, rows: dict[str, list[tuple]], tables=("subscribers", "subscriber_schools")) -> float:
    """sqlite3 executemany of `rows` into a fresh store's `tables`, one transaction; seconds."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        start = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for table in tables:
            connection.executemany(INSERTS[table], rows[table])
        connection.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        connection.close()


def empty_store(workdir) -> str:
    """A freshly migrated empty store to copy from; its path."""
    from mailer.store.subscribers import Store
    path = workdir / "empty.db"
    with Store.open(sqlite_url(path)):
        pass
    return path


def measure(workdir, roster_path, rows, repeats: int) -> dict[str, list[float]]:
    """Per repeat, in alternating order: our import and re-import, and both bare inserts."""
    empty = empty_store(workdir)
    found = {"import": [], "reimport": [], "read": [], "bare": [], "bare_every_table": []}

    def ours(i: int) -> None:
        path = workdir / f"ours{i}.db"
        shutil.copyfile(empty, path)
        read, write, report = import_once(sqlite_url(path), roster_path)
        if len(report.added) != len(rows["subscribers"]):
            raise RuntimeError(f"import added {len(report.added)} families, expected {len(rows['subscribers'])}")
        found["import"].append(read + write)
        found["read"].append(read)
        read, write, report = import_once(sqlite_url(path), roster_path)
        if report.added or report.updated or report.unchanged != len(rows["subscribers"]):
            raise RuntimeError("re-import was not idempotent")
        found["reimport"].append(read + write)

    def bare(i: int) -> None:
        for key, tables in (("bare", ("subscribers", "subscriber_schools")), ("bare_every_table", tuple(INSERTS))):
            path = workdir / f"{key}{i}.db"
            shutil.copyfile(empty, path)
            found[key].append(bare_insert(path, rows, tables))

    for i in range(repeats):
        for step in ((ours, bare) if i % 2 == 0 else (bare, ours)):
            step(i)
    return found


def run(ctx) -> Row:
    families = 3_000 if ctx.quick else 10_000
    repeats = 3 if ctx.quick else 5
    row = Row(7, f"Roster import of {families:,} families vs bare executemany insert", "<= 5x (re-import too)")
    workdir = ctx.workdir / "row7"
    workdir.mkdir(parents=True)
    roster_path = write_roster(workdir / "roster.csv", families)
    rows = equivalent_rows(roster_path)
    m = {key: statistics.median(values) for key, values in measure(workdir, roster_path, rows, repeats).items()}
    row.ours = f"{duration(m['import'])} (re-import {duration(m['reimport'])})"
    row.reference = duration(m["bare"])
    row.judge(max(m["import"], m["reimport"]) / m["bare"], at_most=5)
    csv_rows = sum(1 for _ in open(roster_path, encoding="utf-8")) - 1
    written = sum(len(table_rows) for table_rows in rows.values())
    row.notes.append(f"import {m['import'] / m['bare']:.1f}x, re-import {m['reimport'] / m['bare']:.1f}x the bare "
                     f"insert (subscribers + subscriber_schools); {csv_rows:,} CSV rows -> {families:,} families; "
                     f"reading the roster alone takes {duration(m['read'])}; median of {repeats}"
                     + (" (quick mode: 3,000 families)" if ctx.quick else ""))
    row.notes.append(f"the import writes {written:,} rows in 4 tables (no topic rows: every family follows every "
                     f"topic); "
                     f"a bare insert of all of them takes {duration(m['bare_every_table'])}: import "
                     f"{m['import'] / m['bare_every_table']:.1f}x, re-import "
                     f"{m['reimport'] / m['bare_every_table']:.1f}x that")
    row.data = {"families": families, "csv_rows": csv_rows, "rows_written": written, "repeats": repeats,
                **{f"{key}_s": value for key, value in m.items()}}
    return row
