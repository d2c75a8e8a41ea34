"""Shared pieces of the benchmarks: timing side by side, report rows, the sample issue.

Timing rule (issue #8): the machines are shared and noisy, so every figure that is compared
is measured in the same run as its reference, interleaved repeat by repeat, and each side is
the median of its repeats. Absolute times are printed only as context.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

ISSUE_DIR = ROOT / "newsletters" / "equity" / "2021-09-sept-oct"
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


def interleaved(sides: dict[str, Callable[[], float]], repeats: int) -> dict[str, float]:
    """Median of `repeats` measurements of each side, taken in turn (the order rotates each repeat).

    Each callable runs one measurement and returns its figure (e.g. seconds per message).
    """
    found: dict[str, list[float]] = {name: [] for name in sides}
    names = list(sides)
    for i in range(repeats):
        for name in names[i % len(names):] + names[:i % len(names)]:
            found[name].append(sides[name]())
    return {name: statistics.median(values) for name, values in found.items()}


def side_by_side(ours: Callable[[], float], reference: Callable[[], float], repeats: int) -> tuple[float, float]:
    """Our figure and the reference's, each the median of `repeats` interleaved measurements."""
    medians = interleaved({"ours": ours, "reference": reference}, repeats)
    return medians["ours"], medians["reference"]


def cpu_now() -> float:
    """CPU seconds used by this process so far, all threads."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def duration(seconds: float) -> str:
    """A short time with 3 significant digits in a fitting unit: 2.41 s, 31.2 ms, 840 us."""
    unit, scale = next((u, k) for u, k in (("s", 1), ("ms", 1e3), ("us", 1e6)) if seconds * k >= 1 or u == "us")
    value = seconds * scale
    return f"{value:.3g} {unit}" if value < 1000 else f"{value:.0f} {unit}"


def scratch_dir(prefix: str, memory: bool = True) -> Path:
    """A new temporary folder: in memory (tmpfs /dev/shm, if there) so that file-writing rows
    measure our code rather than this shared VM's disk, or on disk (the default temp dir)."""
    import tempfile
    shm = Path("/dev/shm")
    base = shm if memory and shm.is_dir() and os.access(shm, os.W_OK) else None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


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
    unit: str = "x"                 # how to show the ratio: x (times), %, MB (a difference) or MB peak
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
    def ratio_text(self) -> str:
        if self.ratio is None:
            return "-"
        return {"x": f"{self.ratio:.2f}x", "%": f"{self.ratio:.1f}%", "MB": f"{self.ratio:+.0f} MB",
                "MB peak": f"{self.ratio:.0f} MB"}[self.unit]

    @property
    def verdict(self) -> str:
        return "SKIP" if self.passed is None else ("PASS" if self.passed else "FAIL")


# -- the sample issue and personalization ----------------------------------------------------

def load_issue():
    from blocks.loader import load_issue as load
    return load(ISSUE_DIR)


def signer():
    from mailer.send.links import LinkSigner
    return LinkSigner("bench-secret-0123456789abcdef", "https://prefs.example.org")


def personalizer(issue):
    from mailer.send.personalize import Personalizer
    return Personalizer(issue.key, signer(), "example.org", WEB_URL)


def sender(issue, store, backend, **options):
    from mailer.send.sender import Sender
    return Sender(issue, store, backend, personalizer(issue), segment_name=SEGMENT, web_url=WEB_URL, **options)
