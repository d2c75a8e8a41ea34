"""Row 3: a whole outbox send from the store, against the per-recipient floor.

Ours: mailer.send.Sender with OutboxBackend, from a SQLite store (on disk) holding N families
in 5 languages (en, es, ar have editions; pt and ur get English), everything included:
streaming recipients, routing, send log claims and results, envelopes, MIME, .eml files and
the manifest. Floor: MessageTemplate.render alone for the same mix of families (row 2's
figure, measured again here side by side). The .eml files go to a folder in memory (tmpfs)
so the row measures our code, not this shared VM's disk; a note gives the same send on disk.
"""
from __future__ import annotations

import os
import shutil
import time

from bench_common import Row, duration, load_issue, per_call, personalizer, scratch_dir, sender, side_by_side
from fixtures import clear_send_log


def floor_sample(issue, store, size: int = 1000):
    """(template, envelope) for the first `size` families, routed as a send routes them."""
    s = sender(issue, store, None)
    p = personalizer(issue)
    batch = next(store.recipient_batches(None, batch_size=size))
    pairs = []
    for r in batch:
        template = s.template(s.router.edition(r.language))
        pairs.append((template, p.envelope(r, template.lang, p.message_id(r.id))))
    return pairs


def render_floor(pairs) -> float:
    return per_call(lambda: [t.render(e) for t, e in pairs], 1) / len(pairs)


def outbox_send(issue, store, families: int, memory: bool = True) -> float:
    """One complete send to a fresh outbox; seconds per message."""
    from mailer.backends.outbox import OutboxBackend
    clear_send_log(store)
    out = scratch_dir("bench-outbox-", memory=memory)
    try:
        start = time.perf_counter()
        report = sender(issue, store, OutboxBackend(out, issue.key)).run(None)
        elapsed = time.perf_counter() - start
    finally:
        shutil.rmtree(out, ignore_errors=True)
    if report.results.get("sent") != families:
        raise RuntimeError(f"outbox send sent {dict(report.results)}, expected {families}")
    return elapsed / families


def bare_file_writes(pairs, count: int) -> float:
    """Writing prebuilt message bytes to `count` files (temp name + rename) on disk; s per file."""
    blobs = [t.render(e) for t, e in pairs[:50]]
    out = scratch_dir("bench-files-", memory=False)
    try:
        start = time.perf_counter()
        for i in range(count):
            temporary = out / f"{i}.eml.tmp"
            temporary.write_bytes(blobs[i % len(blobs)])
            os.replace(temporary, out / f"{i}.eml")
        return (time.perf_counter() - start) / count
    finally:
        shutil.rmtree(out, ignore_errors=True)


def run(ctx) -> Row:
    from mailer.store.subscribers import Store
    families = 1_000 if ctx.quick else 10_000
    repeats = 3 if ctx.quick else 5
    row = Row(3, f"Outbox send of {families:,} families in 5 languages from the store vs render floor",
              "<= 3x floor")
    issue = load_issue()
    url = ctx.stores.copy(families, ctx.workdir / "row3" / "store.db")
    with Store.open(url) as store:
        pairs = floor_sample(issue, store)
        mine, floor = side_by_side(lambda: outbox_send(issue, store, families), lambda: render_floor(pairs), repeats)
        on_disk = None if ctx.quick else outbox_send(issue, store, families, memory=False)
        files = None if ctx.quick else bare_file_writes(pairs, families)
        by_language = dict(store.count(None).by_language)
    row.ours = f"{duration(mine)}/msg ({1 / mine:,.0f} msg/s)"
    row.reference = f"{duration(floor)}/msg ({1 / floor:,.0f} msg/s)"
    row.judge(mine / floor, at_most=3)
    row.data = {"families": families, "by_language": by_language, "send_s_per_msg": mine,
                "floor_s_per_msg": floor, "send_on_disk_s_per_msg": on_disk, "bare_disk_write_s_per_file": files,
                "repeats": repeats}
    row.notes.append(f"families by language {by_language}; median of {repeats} interleaved repeats; "
                     ".eml files in tmpfs, store on disk; each send renders its editions (templates compiled by "
                     "an earlier repeat: a fresh process adds row 1's first-render cost once per language)"
                     + (" (quick mode: 1,000 families)" if ctx.quick else ""))
    if on_disk is not None:
        row.notes.append(f"same send with the .eml files on disk: {duration(on_disk)}/msg "
                         f"({on_disk / floor:.1f}x floor); just writing prebuilt bytes to as many files there "
                         f"costs {duration(files)}/file")
    return row
