"""Benchmarks (issue #8): is a district send bound by the mail server, never by our CPU or memory?

    python bench/run.py            # full: district sizes (10,000-100,000 families), a few minutes,
                                   # and rows 12-13 at state-wide size (1,000,000 families, ~20 minutes)
    python bench/run.py --quick    # smaller sizes, under a minute
    python bench/run.py --only 2,5 # just these rows

Prints one table - our figure, the reference measured side by side in the same run, their
ratio, the target and PASS/FAIL - with notes per row below it, and writes bench/results.json.
Exits 0 whether rows pass or fail: it is a report. See bench/README.md.
"""
from __future__ import annotations

import argparse
import compileall
import datetime as dt
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_common import ROOT, Row  # noqa: E402
from fixtures import Context  # noqa: E402
from rows import (importer, live_preview, memory, outbox, per_recipient, render, resume, sendgrid, smtp,  # noqa: E402
                  state_import, state_send, studio_editor, workers)

ROWS = {1: render, 2: per_recipient, 3: outbox, 4: smtp, 5: sendgrid, 6: memory, 7: importer, 8: resume, 9: live_preview,
        10: workers, 11: studio_editor, 12: state_import, 13: state_send}
RESULTS = Path(__file__).resolve().parent / "results.json"


def run_row(number: int, ctx: Context) -> Row:
    start = time.perf_counter()
    print(f"  row {number} ...", end="", flush=True, file=sys.stderr)
    try:
        row = ROWS[number].run(ctx)
    except Exception as e:  # a broken row is reported, the others still run
        row = Row(number, ROWS[number].__doc__.strip().splitlines()[0], "-", passed=False)
        row.notes.append(f"ERROR: {type(e).__name__}: {e}")
        row.data["traceback"] = traceback.format_exc()
    row.data["row_seconds"] = time.perf_counter() - start
    print(f" {row.verdict} ({row.data['row_seconds']:.1f} s)", file=sys.stderr)
    return row


def table(rows: list[Row]) -> str:
    header = ("#", "what", "ours", "reference (same run)", "ratio", "target", "result")
    lines = [(str(r.number), r.what, r.ours, r.reference, r.ratio_text, r.target, r.verdict) for r in rows]
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]

    def fmt(cells) -> str:
        return " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()
    rule = "-+-".join("-" * width for width in widths)
    out = [fmt(header), rule, *(fmt(line) for line in lines), "", "Notes:"]
    for r in rows:
        out.extend(f"  {r.number}. {note}" for note in r.notes)
    return "\n".join(out)


def machine() -> dict:
    return {"date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "python": platform.python_version(), "implementation": platform.python_implementation(),
            "platform": platform.platform(), "cpus": os.cpu_count(), "processor": platform.processor(),
            "load_average": os.getloadavg() if hasattr(os, "getloadavg") else None}


def compile_project() -> None:
    """Byte-compile the project's modules, as an installation has them after its first run.
    Where PYTHONDONTWRITEBYTECODE is set (this sandbox sets it) Python never writes them, and
    every fresh process the rows start (send workers, child.py) would compile ~130 modules
    from source first: ~0.3 s a process, which no real deployment pays."""
    for folder in ("blocks", "mailer", "common", "workflows", "cli", "family_web", "preview", "studio"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)
    compileall.compile_file(str(ROOT / "compose.py"), quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes; under a minute")
    parser.add_argument("--only", default="", help="comma-separated row numbers, e.g. 2,5")
    args = parser.parse_args(argv)
    numbers = [int(n) for n in args.only.split(",") if n.strip()] or list(ROWS)
    started = time.perf_counter()
    info = machine()
    print(f"bench ({'quick' if args.quick else 'full'}): {info['cpus']} CPUs, Python {info['python']}, "
          f"load average {info['load_average']}", file=sys.stderr)
    compile_project()
    ctx = Context.create(args.quick)
    try:
        rows = [run_row(n, ctx) for n in sorted(numbers)]
    finally:
        ctx.close()
    info["seconds"] = round(time.perf_counter() - started, 1)
    print(table(rows))
    print(f"\n{sum(r.passed is True for r in rows)} rows passed, {sum(r.passed is False for r in rows)} failed, "
          f"{sum(r.passed is None for r in rows)} skipped in {info['seconds']} s "
          f"({'quick' if args.quick else 'full'} mode); figures in {RESULTS}")
    RESULTS.write_text(json.dumps({"mode": "quick" if args.quick else "full", "machine": info,
                                   "rows": [_row_json(r) for r in rows]}, indent=2, default=str) + "\n",
                       encoding="utf-8")
    return 0


def _row_json(row: Row) -> dict:
    return {"row": row.number, "what": row.what, "ours": row.ours, "reference": row.reference,
            "ratio": row.ratio, "ratio_text": row.ratio_text, "target": row.target, "result": row.verdict,
            "notes": row.notes, "data": row.data}


if __name__ == "__main__":
    sys.exit(main())
