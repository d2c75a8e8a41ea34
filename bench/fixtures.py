"""Test data for the benchmarks: district-style rosters, stores imported from them, the run context.

Stores are SQLite files on disk (as they are for real), each built once per run by a fresh
process (bench/child.py import) and copied for every use.
"""
from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from bench_common import LANGUAGES, ROOT, scratch_dir


def _generator():
    """tests/fixtures/roster_generate.py, the project's own roster generator."""
    path = ROOT / "tests" / "fixtures" / "roster_generate.py"
    spec = importlib.util.spec_from_file_location("roster_generate", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_roster(path: Path, families: int, languages=LANGUAGES, seed: int = 2021) -> Path:
    """A clean district-style CSV of `families` families (siblings on several rows), in `languages`
    weighted as the district's are (mostly English)."""
    import random
    gen = _generator()
    rng = random.Random(seed)
    rows = [row for family in gen.families(rng, families, list(languages))
            for row in gen.rows_for(rng, family, False)]
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        writer.writerows(rows)
    return path


def write_big_roster(path: Path, families: int, languages=LANGUAGES, seed: int = 2025) -> Path:
    """write_roster() as a stream, for state-wide sizes (1,000,000 families): one family's rows at
    a time, never the whole list; the same generator's names, schools, grades and language weights
    (a different file from write_roster's for the same size and seed)."""
    import random
    gen = _generator()
    rng = random.Random(seed)
    weights = [gen.LANGUAGES[code][0] for code in languages]
    schools = list(gen.SCHOOLS)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(gen.HEADER)
        for number in range(1, families + 1):
            first, last = rng.choice(gen.FIRST), rng.choice(gen.LAST)
            kids = rng.choices([1, 2, 3], weights=[78, 17, 5])[0]
            family = {"name": f"{first} {last}", "email": f"{first.lower()}.{last.lower()}{number}@"
                      f"{rng.choice(gen.DOMAINS)}".replace("-", ""), "language": rng.choices(languages, weights)[0],
                      "kids": [rng.choice(schools) for _ in range(kids)]}
            writer.writerows(gen.rows_for(rng, family, False))
    return path


def read_roster(path: Path):
    from mailer.audiences.audiences_file import load_audiences
    from mailer.roster.families import read_roster as read
    return read(path, load_audiences(ROOT / "audiences.yaml"))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def import_into(url: str, roster_path: Path):
    """The `subscribers import` command through the Python API; returns the ImportReport."""
    from mailer.roster.importer import import_roster
    from mailer.store.subscribers import Store
    roster = read_roster(roster_path)
    with Store.open(url) as store:
        return import_roster(store, roster)


def run_child(*args: str) -> dict:
    """bench/child.py ARGS in a fresh process; its JSON report."""
    import json
    import subprocess
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "child.py"), *args],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"child.py {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


class StoreCache:
    """Stores with N imported families, built once per run and copied for each use.

    Each store is built by `bench/child.py import` in a fresh process, which also
    tells the import's own peak memory (row 6 reports it).
    """

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self._built: dict[int, Path] = {}
        self.imports: dict[int, dict] = {}     # families -> the child's report (peak RSS, seconds)

    def master(self, families: int) -> Path:
        if families not in self._built:
            path = self.workdir / f"master_{families}" / "store.db"
            path.parent.mkdir(parents=True)
            self.imports[families] = run_child("import", str(families), str(path))
            self._built[families] = path
        return self._built[families]

    def copy(self, families: int, dest: Path) -> str:
        """A fresh copy of the store with `families` families at `dest`; returns its URL."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.master(families), dest)
        return sqlite_url(dest)


def clear_send_log(store) -> None:
    """Forget every send, so the same store can be sent again from scratch."""
    from mailer.send.sendlog import send_log
    with store.write() as connection:
        connection.execute(send_log.delete())


@dataclass
class Context:
    """What every row gets: the mode and the stores shared between rows."""

    quick: bool
    workdir: Path
    stores: StoreCache

    @classmethod
    def create(cls, quick: bool) -> "Context":
        workdir = scratch_dir("bench-", memory=False)     # stores live on disk, as they do for real
        return cls(quick, workdir, StoreCache(workdir))

    def close(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)
