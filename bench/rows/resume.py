"""Row 8: after a crash half way through a send, how soon does the rerun send something new?

Each step runs as the real command would, in a fresh process (bench/child.py), on its own copy
of a store of N families, with the .eml files in tmpfs:
- a full outbox send;
- a send whose backend raises after N/2 messages (the crash: the results not yet recorded are
  lost, their rows stay "sending"), then a rerun whose backend notes when it is first handed
  a message.
The figure is the rerun's time from the start of its send (Sender.run, editions not yet
rendered) to that first new message, as a share of the full send's Sender.run. The same
two measured from process start (adding Python's imports, ~0.5 s here) are a note.
"""
from __future__ import annotations

import shutil
import statistics

from bench_common import Row, duration, scratch_dir
from fixtures import run_child


def full_send(ctx, families: int, i: int) -> dict:
    """The report of a whole outbox send in a fresh process."""
    store = ctx.workdir / "row8" / f"full{i}.db"
    ctx.stores.copy(families, store)
    out = scratch_dir("bench-full-")
    try:
        found = run_child("send", str(store), "outbox", str(out))
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if found["results"].get("sent") != families:
        raise RuntimeError(f"full send: {found['results']}")
    return found


def crash_and_rerun(ctx, families: int, i: int) -> dict:
    """The rerun's report after a crash at half way (first_message_s: from its process start)."""
    store = ctx.workdir / "row8" / f"crash{i}.db"
    ctx.stores.copy(families, store)
    out = scratch_dir("bench-resume-")
    try:
        if not run_child("crash", str(store), str(out), str(families // 2)).get("crashed"):
            raise RuntimeError("the simulated crash did not happen")
        return run_child("rerun", str(store), str(out))
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run(ctx) -> Row:
    families = 1_000 if ctx.quick else 10_000
    repeats = 1 if ctx.quick else 3
    row = Row(8, f"Resume after a crash at 50% of a {families:,} outbox send: time to first new message",
              "< 5% of full send", unit="%")
    fulls, reruns = [], []
    for i in range(repeats):
        steps = (lambda: fulls.append(full_send(ctx, families, i)),
                 lambda: reruns.append(crash_and_rerun(ctx, families, i)))
        for step in steps if i % 2 == 0 else reversed(steps):
            step()
    median = statistics.median
    full_run = median(f["seconds"] - f["run_start_s"] for f in fulls)
    full_process = median(f["seconds"] for f in fulls)
    first_run = median(r["first_message_s"] - r["run_start_s"] for r in reruns)
    first_process = median(r["first_message_s"] for r in reruns)
    startup = median(r["run_start_s"] for r in reruns)
    row.ours, row.reference = duration(first_run), f"{duration(full_run)} full send"
    row.judge(first_run / full_run * 100, at_most=5)
    last = reruns[-1]
    row.notes.append(f"each step in a fresh process; median of {repeats}"
                     + (" (quick mode: 1,000 families, one run: a smoke check; the fixed costs weigh far more)" if ctx.quick else "")
                     + f"; rerun results {last['results']}, skipped {last['skipped']}, found on disk after the "
                     f"crash {last['confirmed']}")
    row.notes.append(f"from process start: first new message after {duration(first_process)} "
                     f"(starting up - imports, issue, store - {duration(startup)}) of a {duration(full_process)} "
                     f"full send = {first_process / full_process:.1%}")
    row.data = {"families": families, "repeats": repeats, "full_sends": fulls, "reruns": reruns,
                "first_new_message_in_run_s": first_run, "full_send_in_run_s": full_run,
                "first_new_message_from_process_start_s": first_process, "full_send_from_process_start_s": full_process}
    return row
