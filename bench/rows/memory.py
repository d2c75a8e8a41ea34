"""Row 6: memory: a send to 100,000 families must not need much more than one to 10,000.

Each send runs in a fresh process (bench/child.py send) against its own copy of a
store that another fresh process imported, through the SendGrid backend to the local mock
(an outbox send of 100,000 would write ~10 GB of .eml files). The figure is the difference
of the two sends' peak RSS (VmHWM: ru_maxrss would also count the benchmark's own size,
which Linux carries over into a child across exec). The imports' peaks are a note.
"""
from __future__ import annotations

from bench_common import Row
from fixtures import run_child
from servers import LocalServer


def mb(kib: int) -> str:
    return f"{kib / 1024:.0f} MB"


def run(ctx) -> Row:
    small, large = (500, 5_000) if ctx.quick else (10_000, 100_000)
    row = Row(6, f"Peak RSS of a {large:,}-family send minus a {small:,}-family send (SendGrid mock)",
              "< 50 MB")
    peaks = {}
    with LocalServer("http") as server:
        for families in (small, large):
            url_path = ctx.workdir / "row6" / f"store_{families}.db"
            ctx.stores.copy(families, url_path)
            peaks[families] = run_child("send", str(url_path), "sendgrid", str(server.port))
            queued = peaks[families]["results"].get("queued")
            if queued != families:
                raise RuntimeError(f"memory send queued {queued} of {families}")
    delta_kib = peaks[large]["peak_rss_kb"] - peaks[small]["peak_rss_kb"]
    row.ours = f"+{mb(delta_kib)}"
    row.reference = f"{mb(peaks[small]['peak_rss_kb'])} at {small:,}"
    row.unit = "MB"
    row.judge(delta_kib / 1024, at_most=50)
    imports = {n: ctx.stores.imports[n] for n in (small, large)}
    row.notes.append(f"send peaks: {mb(peaks[small]['peak_rss_kb'])} ({small:,}) and "
                     f"{mb(peaks[large]['peak_rss_kb'])} ({large:,}); RSS when the send began "
                     f"{mb(peaks[large]['start_rss_kb'])}" + (" (quick mode: 500 vs 5,000)" if ctx.quick else ""))
    row.notes.append(f"roster import peaks (each in its own process): {mb(imports[small]['peak_rss_kb'])} for "
                     f"{small:,} families, {mb(imports[large]['peak_rss_kb'])} for {large:,} "
                     f"(+{mb(imports[large]['peak_rss_kb'] - imports[small]['peak_rss_kb'])}; the import streams the "
                     "roster: row 12 measures it at 1,000,000 families)")
    row.notes.append(f"peaks are VmHWM; getrusage ru_maxrss says {mb(peaks[small]['ru_maxrss_kb'])} and "
                     f"{mb(peaks[large]['ru_maxrss_kb'])} (on Linux it also counts the parent's size before exec)")
    row.data = {"small": small, "large": large, "sends": peaks, "imports": imports, "delta_mb": delta_kib / 1024}
    return row
