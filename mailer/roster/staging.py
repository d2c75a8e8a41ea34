"""A roster's rows, then its families, in a temporary SQLite database, so that a roster of any
size (a state-wide list of 1,000,000 families) is read and merged by address in bounded memory.

read_roster stages each usable row as it streams from the file; the rows are then read back
sorted by address (SQLite sorts on disk), each address's rows folded into one family, and the
families staged in the order of their first row, which is the order the import plans and
writes them in, a chunk at a time (`StagedFamilies.chunks`). Rosters of files under
IN_MEMORY_BELOW are staged in Python lists instead (the same steps, no database: quicker for a
district's few thousand families); larger ones in a SQLite file in the temporary folder, removed
when the roster is dropped (or at exit).
The staging database is our own scratch space: never the store, whatever store the import goes to.
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from itertools import groupby

SEP, PAIR = "\x1f", "\x1e"   # control characters: roster cells never hold them (spreadsheet.clean_text)
IN_MEMORY_BELOW = 8 << 20    # roster files smaller than this (bytes) are staged in memory
BATCH = 10_000               # rows written per executemany

_SCHEMA = """
CREATE TABLE row_values (email TEXT NOT NULL, row INTEGER NOT NULL, name TEXT, language TEXT, school TEXT,
                         grade TEXT, topics TEXT, unknown TEXT, issue TEXT);
CREATE TABLE families (first INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT, language TEXT, schools TEXT,
                       grades TEXT, topics TEXT, unknown TEXT, rows TEXT NOT NULL);
"""
_FAMILY_COLUMNS = "email, rows, name, language, schools, grades, topics, unknown"


def _close(db: sqlite3.Connection, path: str | None) -> None:
    db.close()
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


class Staging:
    """The scratch database of one roster being read."""

    def __init__(self, in_memory: bool):
        self.path = None
        if not in_memory:
            fd, self.path = tempfile.mkstemp(prefix="newsletter-roster-", suffix=".sqlite")
            os.close(fd)
        self.db = sqlite3.connect(self.path or ":memory:", isolation_level=None, check_same_thread=False)
        self._finalizer = weakref.finalize(self, _close, self.db, self.path)
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -16000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")
        self._pending: dict[str, list[tuple]] = {"row_values": [], "families": []}   # table -> rows to insert
        self.count = 0

    @classmethod
    def for_file(cls, size: int):
        return MemoryStaging() if size < IN_MEMORY_BELOW else cls(in_memory=False)

    def add_row(self, values: tuple) -> None:
        """(email, row, name, language, school, grade, topics, unknown, language issue) of one usable row."""
        self._stage("row_values", values)

    def _stage(self, table: str, values: tuple) -> None:
        pending = self._pending[table]
        pending.append(values)
        if len(pending) >= BATCH:
            self._flush(table)

    def _flush(self, table: str) -> None:
        """Insert `table`'s pending rows (both tables have nine columns), BATCH at a time."""
        self.db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._pending[table])
        self._pending[table].clear()

    def rows_by_address(self) -> Iterator[list[tuple]]:
        """The staged rows of each address (in row order), address by address."""
        self._flush("row_values")
        cursor = self.db.execute("SELECT * FROM row_values ORDER BY email, row")
        for _, rows in groupby(cursor, key=lambda values: values[0]):
            yield list(rows)

    def add_family(self, values: tuple) -> None:
        """(first row, email, name, language, schools, grades, topics, unknown, rows) of one family."""
        self._stage("families", values)

    def done(self) -> None:
        """Every family is staged: the rows can go."""
        self._flush("families")
        self.db.execute("DROP TABLE row_values")
        self.db.execute("COMMIT")
        self.count = self.db.execute("SELECT count(*) FROM families").fetchone()[0]

    def close(self) -> None:
        self._finalizer()

    def emails(self) -> Iterator[str]:
        return (email for (email,) in self.db.execute("SELECT email FROM families ORDER BY first"))

    def family(self, email: str) -> tuple | None:
        return self.db.execute(f"SELECT {_FAMILY_COLUMNS} FROM families WHERE email = ?", (email,)).fetchone()

    def families(self, size: int) -> Iterator[list[tuple]]:
        cursor = self.db.execute(f"SELECT {_FAMILY_COLUMNS} FROM families ORDER BY first")
        while rows := cursor.fetchmany(size):
            yield rows


class MemoryStaging:
    """Staging's steps in Python lists, for rosters small enough to hold."""

    path = None

    def __init__(self):
        self._rows: list[tuple] = []
        self._families: list[tuple] = []
        self._index: dict[str, int] | None = None
        self.count = 0

    def add_row(self, values: tuple) -> None:
        self._rows.append(values)

    def rows_by_address(self) -> Iterator[list[tuple]]:
        self._rows.sort(key=lambda values: (values[0], values[1]))
        for _, rows in groupby(self._rows, key=lambda values: values[0]):
            yield list(rows)

    def add_family(self, values: tuple) -> None:
        self._families.append(values)

    def done(self) -> None:
        self._rows = []
        self._families.sort()       # by first row (unique)
        self._families = [(email, rows, *rest) for _, email, *rest, rows in self._families]  # as the database gives
        self.count = len(self._families)

    def close(self) -> None:
        self._families = []

    def emails(self) -> Iterator[str]:
        return (values[0] for values in self._families)

    def family(self, email: str) -> tuple | None:
        if self._index is None:
            self._index = {values[0]: i for i, values in enumerate(self._families)}
        found = self._index.get(email)
        return None if found is None else self._families[found]

    def families(self, size: int) -> Iterator[list[tuple]]:
        for start in range(0, len(self._families), size):
            yield self._families[start:start + size]


def joined(values) -> str:
    return SEP.join(sorted(values))


def split(text: str | None) -> set[str]:
    return set(text.split(SEP)) if text else set()


class StagedFamilies(Mapping):
    """email -> Family of a staged roster, in the order of each family's first row. Iterating
    reads them from the staging database as it goes; `chunks` gives them a list at a time."""

    def __init__(self, staging: Staging, make):
        self._staging, self._make = staging, make   # make(email, rows, name, language, schools, ...) -> Family

    def __len__(self) -> int:
        return self._staging.count

    def __iter__(self) -> Iterator[str]:
        return self._staging.emails()

    def __getitem__(self, email: str):
        found = self._staging.family(email)
        if found is None:
            raise KeyError(email)
        return self._make(*found)

    def values(self):
        return (family for chunk in self.chunks() for family in chunk)

    def items(self):
        return ((family.email, family) for family in self.values())

    def chunks(self, size: int = 5000) -> Iterator[list]:
        for rows in self._staging.families(size):
            yield [self._make(*row) for row in rows]

    def close(self) -> None:
        """Remove the staging database now (else when this is dropped)."""
        self._staging.close()
