"""Row 13: a state-wide send (1,000,000 families) by 4 workers on PostgreSQL to the SendGrid mock, in bounded memory.

The store is a fresh schema in the PostgreSQL of NEWSLETTER_TEST_PG (skipped without it), the
roster (fixtures.write_big_roster) imported into it by `bench/child.py import-file` in a fresh
process (its peak RSS and time are a note). Then 4 `bench/child.py worker` processes, started
at once, share one send of the sample issue to every family, through the SendGrid backend to
the mock (bench/servers.py http 0 recipients: it answers at once and counts requests and
personalizations per address). Checked: requests = ceil(families / 1,000) per edition, summed
over editions; each address in exactly one personalization; figure: the largest peak RSS
(VmHWM) of the 4 workers, target < 200 MB each. --quick: 20,000 families.
"""
from __future__ import annotations

import os

from bench_common import Row
from fixtures import run_child, write_big_roster
from rows.workers import PG_ENV, _drop, _schema, one_send
from servers import LocalServer

WORKERS = 4
PEAK_MB = 200


def run(ctx) -> Row:
    families = 20_000 if ctx.quick else 1_000_000
    row = Row(13, f"Peak RSS per worker: {families:,} families, {WORKERS} workers on PostgreSQL, SendGrid mock",
              f"< {PEAK_MB} MB each")
    base = os.environ.get(PG_ENV)
    if not base:
        return row.skip(f"{PG_ENV} is not set (source .ci/postgres.sh): no PostgreSQL to share")
    folder = ctx.workdir / "row13"
    folder.mkdir(parents=True, exist_ok=True)
    roster = write_big_roster(folder / "roster.csv", families)
    schema, url = _schema(base)
    try:
        imported = run_child("import-file", str(roster), url)
        if imported["families"] != families:
            raise RuntimeError(f"the import added {imported['families']} families of {families:,}")
        with LocalServer("http", "0", "recipients") as server:
            send = one_send(url, server, WORKERS, families, timeout=4 * 3600)
    finally:
        _drop(base, schema)
    peaks = [kb / 1024 for kb in send["peak_rss_kb_by_worker"]]
    row.unit = "MB peak"
    row.ours = f"{max(peaks):.0f} MB (workers {', '.join(f'{p:.0f}' for p in sorted(peaks, reverse=True))})"
    row.reference = f"{send['expected_requests']:,} requests expected"
    row.judge(max(peaks), at_most=PEAK_MB)
    exact = (send["requests"] == send["expected_requests"] and send["queued"] == families
             and send["distinct_addresses"] == families and send["personalizations"] == families
             and send["most_per_address"] == 1)
    row.passed = row.passed and exact
    row.notes.append(f"requests at the mock {send['requests']:,}, expected {send['expected_requests']:,} "
                     f"(ceil(families / 1,000) per edition: {send['per_edition']}), per worker "
                     f"{sorted(send['requests_by_worker'], reverse=True)}; {send['distinct_addresses']:,} distinct "
                     f"addresses in {send['personalizations']:,} personalizations (at most {send['most_per_address']} "
                     f"each), {send['queued']:,} queued: {'exact' if exact else 'WRONG'}")
    row.notes.append(f"send wall {send['wall_s']:.0f} s ({send['families_per_s']:,.0f} families/s; sending phase "
                     f"{send['send_s']:.0f} s), workers' CPU {send['cpu_s']:.0f} s; the import into PostgreSQL took "
                     f"{imported['import_s']:.0f} s, peak RSS {imported['peak_rss_kb'] / 1024:.0f} MB "
                     f"({imported['rows']:,} CSV rows)" + (" (quick mode: 20,000 families)" if ctx.quick else ""))
    row.data = {"families": families, "workers": WORKERS, "send": send, "import": imported,
                "peak_mb_by_worker": peaks}
    return row
