"""Row 12: a state-wide roster (1,000,000 families) imported in bounded memory, against a bare insert of the same rows.

Ours: `bench/child.py import-file` in a fresh process, as `compose.py subscribers import` runs:
read_roster + import_roster of a generated district-style CSV (fixtures.write_big_roster, written
to disk by the bench first, a family at a time) into a copy of a freshly migrated, empty SQLite
store on disk. Figures: the child's peak RSS (VmHWM) and the time it took to read and import the
roster. Reference, in the same run: sqlite3 executemany of the same families (subscribers +
subscriber_schools, row 7's reference), read from the store our import wrote, into another copy
of the empty store, in one transaction. Targets: peak RSS < 300 MB, time <= 5x the bare insert.
--quick: 20,000 families.
"""
from __future__ import annotations

import shutil
import sqlite3
import statistics
import time

from bench_common import Row, duration
from fixtures import run_child, sqlite_url, write_big_roster
from rows.importer import INSERTS, empty_store

PEAK_MB = 300
AT_MOST = 5


def bare_copy(source, dest) -> float:
    """executemany of `source`'s subscribers and their schools into the empty store `dest`, one
    transaction; seconds."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(dest, isolation_level=None)
    try:
        dst.execute("PRAGMA foreign_keys = ON")
        start = time.perf_counter()
        dst.execute("BEGIN IMMEDIATE")
        dst.executemany(INSERTS["subscribers"], src.execute(
            "SELECT id, email, name, language, status, source, consent_at, created_at, updated_at, all_topics "
            "FROM subscribers ORDER BY id"))
        dst.executemany(INSERTS["subscriber_schools"], src.execute(
            "SELECT subscriber_id, school FROM subscriber_schools ORDER BY subscriber_id"))
        dst.execute("COMMIT")
        return time.perf_counter() - start
    finally:
        src.close()
        dst.close()


def run(ctx) -> Row:
    families = 20_000 if ctx.quick else 1_000_000
    repeats = 2 if ctx.quick else 1
    row = Row(12, f"Roster import of {families:,} families: peak RSS and time vs bare executemany insert",
              f"< {PEAK_MB} MB, <= {AT_MOST}x")
    workdir = ctx.workdir / "row12"
    workdir.mkdir(parents=True)
    start = time.perf_counter()
    roster = write_big_roster(workdir / "roster.csv", families)
    written_s = time.perf_counter() - start
    empty = empty_store(workdir)
    imports, bare, last = [], [], [None]

    def ours(i: int) -> None:
        path = workdir / f"ours{i}.db"
        shutil.copyfile(empty, path)
        found = run_child("import-file", str(roster), sqlite_url(path))
        if found["families"] != families or not found["written"]:
            raise RuntimeError(f"the import added {found['families']} families of {families:,}")
        imports.append(found)
        last[0] = path

    def reference(i: int) -> None:
        path = workdir / f"bare{i}.db"
        shutil.copyfile(empty, path)
        bare.append(bare_copy(last[0], path))
        path.unlink()

    for i in range(repeats):
        for step in ((ours, reference) if i % 2 == 0 or last[0] is None else (reference, ours)):
            step(i)
    ours_s = statistics.median(r["import_s"] for r in imports)
    bare_s = statistics.median(bare)
    peak_kb = max(r["peak_rss_kb"] for r in imports)
    row.ours = f"{duration(ours_s)}, peak {peak_kb / 1024:.0f} MB"
    row.reference = duration(bare_s)
    row.judge(ours_s / bare_s, at_most=AT_MOST)
    row.passed = row.passed and peak_kb / 1024 < PEAK_MB
    csv_rows = imports[0]["rows"]
    row.notes.append(f"{csv_rows:,} CSV rows ({roster.stat().st_size / 2**20:.0f} MB, written in {duration(written_s)}) "
                     f"-> {families:,} families; peak RSS (VmHWM) of each import: "
                     + ", ".join(f"{r['peak_rss_kb'] / 1024:.0f} MB" for r in imports)
                     + f" (RSS when it began {imports[0]['start_rss_kb'] / 1024:.0f} MB); whole child "
                     + ", ".join(f"{r['seconds']:.1f} s" for r in imports)
                     + f"; median of {repeats}" + (" (quick mode: 20,000 families)" if ctx.quick else ""))
    row.data = {"families": families, "csv_rows": csv_rows, "repeats": repeats, "imports": imports,
                "bare_s": bare, "ours_s": ours_s, "peak_mb": peak_kb / 1024}
    return row
