"""Shared pieces of the benchmarks: timing side by side, the sample issue, rosters and stores.

Timing rule (issue #8): the machines are shared and noisy, so every figure that is compared
is measured in the same run as its reference, interleaved repeat by repeat, and each side is
the median of its repeats. Absolute times are printed only as context.
"""
from __future__ import annotations

import csv
import importlib.util
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ISSUE_DIR = ROOT / "newsletters" / "2021-09-sept-oct"
WEB_URL = "https://newsletter.example.org/issues/2021-09-sept-oct"
SEGMENT = "all-families"
# en, es and ar have editions in the sample issue; pt and ur fall back to English.
LANGUAGES = ("en", "es", "ar", "pt", "ur")


# -- timing ---------------------------------------------------------------------------------

def per_call(fn: Callable[[], object], number: int) -> float:
    """Seconds per call of `fn`, over `number` calls in a row."""
    start = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - start) / number


def side_by_side(ours: Callable[[], float], reference: Callable[[], float], repeats: int) -> tuple[float, float]:
    """Median of `repeats` measurements of each side, interleaved (the order alternates).

    Each callable runs one measurement and returns its figure (e.g. seconds per message).
    """
    mine, theirs = [], []
    for i in range(repeats):
        pair = (ours, reference) if i % 2 == 0 else (reference, ours)
        first, second = pair[0](), pair[1]()
        mine.append(first if i % 2 == 0 else second)
        theirs.append(second if i % 2 == 0 else first)
    return statistics.median(mine), statistics.median(theirs)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.3g} ms"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:.3g} us"


# -- results --------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the report: our figure, the reference measured in the same run, the ratio."""

    number: int
    what: str
    target: str                     # e.g. ">= 5x"
    ours: str = ""
    reference: str = ""
    ratio: float | None = None      # as the target reads it
    passed: bool | None = None      # None: skipped
    notes: list[str] = field(default_factory=list)
    data: dict = field(default_factory=dict)   # raw figures for results.json

    def judge(self, ratio: float, at_least: float | None = None, at_most: float | None = None) -> "Row":
        self.ratio = ratio
        self.passed = (at_least is None or ratio >= at_least) and (at_most is None or ratio <= at_most)
        return self

    def skip(self, why: str) -> "Row":
        self.passed = None
        self.notes.append(f"skipped: {why}")
        return self

    @property
    def verdict(self) -> str:
        return "SKIP" if self.passed is None else ("PASS" if self.passed else "FAIL")


# -- the sample issue and personalization ----------------------------------------------------

def load_issue():
    from blocks.loader import load_issue as load
    return load(ISSUE_DIR)


def signer():
    from mailer.links import LinkSigner
    return LinkSigner("bench-secret-0123456789abcdef", "https://prefs.example.org")


def personalizer(issue):
    from mailer.personalize import Personalizer
    return Personalizer(issue.slug, signer(), "example.org", WEB_URL)


def sender(issue, store, backend, **options):
    from mailer.send import Sender
    return Sender(issue, store, backend, personalizer(issue), segment_name=SEGMENT, web_url=WEB_URL, **options)


# -- rosters and stores ----------------------------------------------------------------------

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


def read_roster(path: Path):
    from mailer.audiences import load_audiences
    from mailer.roster import read_roster as read
    return read(path, load_audiences(ROOT / "audiences.yaml"))


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def import_into(url: str, roster_path: Path):
    """The `subscribers import` command through the Python API; returns the ImportReport."""
    from mailer.importer import import_roster
    from mailer.subscribers import Store
    roster = read_roster(roster_path)
    with Store.open(url) as store:
        return import_roster(store, roster)


class StoreCache:
    """Stores with N imported families, built once per run and copied for each use."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self._built: dict[int, Path] = {}
        self.build_seconds: dict[int, float] = {}

    def roster(self, families: int) -> Path:
        path = self.workdir / f"roster_{families}.csv"
        if not path.exists():
            write_roster(path, families)
        return path

    def master(self, families: int) -> Path:
        if families not in self._built:
            path = self.workdir / f"master_{families}.db"
            start = time.perf_counter()
            import_into(sqlite_url(path), self.roster(families))
            self.build_seconds[families] = time.perf_counter() - start
            self._built[families] = path
        return self._built[families]

    def copy(self, families: int, dest: Path) -> str:
        """A fresh copy of the store with `families` families at `dest`; returns its URL."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.master(families), dest)
        return sqlite_url(dest)


def clear_send_log(store) -> None:
    """Forget every send, so the same store can be sent again from scratch."""
    from mailer.sendlog import send_log
    with store.write() as connection:
        connection.execute(send_log.delete())
