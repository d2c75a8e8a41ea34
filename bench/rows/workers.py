"""Row 10: scale-out: 4 `send` workers on one PostgreSQL store vs 1, to the SendGrid mock.

The store is a fresh schema in the PostgreSQL of NEWSLETTER_TEST_PG (`source .ci/postgres.sh`;
the row is skipped without it) with FAMILIES families imported. Each send runs its workers as
fresh processes (bench/child.py worker), all started at once against that one store; the
send log is emptied before each. The mock (bench/servers.py http DELAY recipients, its own
process) answers each request after DELAY, an API round trip: a 1,000-recipient request is
~800 KB to upload and SendGrid then accepts it; without the wait every worker would be CPU
bound on this 2-core machine and the row would measure the cores, not whether workers
overlap their network waits. It counts requests and personalizations per address.

Figure: families per second from the first process started to the last one finished (start-up
included, as a real scale-out pays it); 4 workers vs 1, interleaved, medians. Checked on every
run: requests = what one worker makes (ceil(families / 1,000) per edition), every family once.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
import uuid

from bench_common import ROOT, Row, side_by_side
from fixtures import clear_send_log, import_into, write_roster
from servers import LocalServer

DELAY = 0.25            # seconds the mock takes to answer one request
WORKERS = 4
PG_ENV = "NEWSLETTER_TEST_PG"


def _schema(base: str) -> tuple[str, str]:
    """A new schema in the PostgreSQL at `base`: (its name, the URL whose search_path is it)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return schema, make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)


def _drop(base: str, schema: str) -> None:
    from sqlalchemy import create_engine, text
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def one_send(url: str, server: LocalServer, workers: int, families: int, timeout: float = 600) -> dict:
    """`workers` fresh worker processes sharing one send of the store at `url`; what they did."""
    from mailer.store.subscribers import Store
    with Store.open(url) as store:
        clear_send_log(store)
    server.reset()
    args = [sys.executable, str(ROOT / "bench" / "child.py"), "worker", url, str(server.port)]
    start, started_epoch = time.perf_counter(), time.time()
    processes = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(workers)]
    outputs = [p.communicate(timeout=timeout) for p in processes]
    wall = time.perf_counter() - start
    for process, (_, err) in zip(processes, outputs):
        if process.returncode != 0:
            raise RuntimeError(f"a worker failed:\n{err[-3000:]}")
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    per_edition: dict[str, int] = {}
    for report in reports:
        for lang, counts in report["by_language"].items():
            per_edition[lang] = per_edition.get(lang, 0) + sum(counts.values())
    distinct, personalizations, most = server.addresses()
    send_s = max(r["run_end_epoch"] for r in reports) - min(r["run_start_epoch"] for r in reports)
    return {"workers": workers, "wall_s": wall, "send_s": send_s, "families_per_s": families / wall,
            "requests": server.received(), "requests_by_worker": [r["requests"] for r in reports],
            "queued": sum(r["results"].get("queued", 0) for r in reports), "per_edition": per_edition,
            "expected_requests": sum(math.ceil(n / 1000) for n in per_edition.values()),
            "distinct_addresses": distinct, "personalizations": personalizations, "most_per_address": most,
            "first_run_start_s": min(r["run_start_epoch"] for r in reports) - started_epoch,
            "cpu_s": sum(r["cpu_s"] for r in reports), "load_average": os.getloadavg()[0],
            "peak_rss_kb_by_worker": [r["peak_rss_kb"] for r in reports],
            "seconds_by_worker": [r["seconds"] for r in reports]}


def run(ctx) -> Row:
    families = 2_000 if ctx.quick else 10_000
    row = Row(10, f"{WORKERS} workers on one PostgreSQL store, {families:,} families to the SendGrid mock vs 1 worker",
              ">= 1.5x")
    base = os.environ.get(PG_ENV)
    if not base:
        return row.skip(f"{PG_ENV} is not set (source .ci/postgres.sh): no PostgreSQL to share")
    schema, url = _schema(base)
    runs: list[dict] = []
    try:
        folder = ctx.workdir / "row10"
        folder.mkdir(parents=True, exist_ok=True)
        import_into(url, write_roster(folder / "roster.csv", families))
        with LocalServer("http", str(DELAY), "recipients") as server:
            def measure(workers: int) -> float:
                runs.append(one_send(url, server, workers, families))
                return runs[-1]["families_per_s"]
            ours, reference = side_by_side(lambda: measure(WORKERS), lambda: measure(1), 1 if ctx.quick else 3)
    finally:
        _drop(base, schema)
    row.ours, row.reference = f"{ours:,.0f} families/s", f"{reference:,.0f} families/s"
    row.judge(ours / reference, at_least=1.5)
    wrong = [r for r in runs if r["requests"] != r["expected_requests"] or r["queued"] != families
             or r["distinct_addresses"] != families or r["personalizations"] != families or r["most_per_address"] != 1]
    if wrong:
        row.passed = False
    single = [r for r in runs if r["workers"] == 1]
    many = [r for r in runs if r["workers"] == WORKERS]
    row.notes.append(
        f"requests at the mock: {WORKERS} workers {sorted({r['requests'] for r in many})}, 1 worker "
        f"{sorted({r['requests'] for r in single})}, expected {runs[0]['expected_requests']} "
        f"(ceil(families / 1,000) per edition: {runs[0]['per_edition']}); every run: each of the {families:,} "
        f"addresses in exactly one personalization: {'OK' if not wrong else 'WRONG in %d run(s)' % len(wrong)}")
    row.notes.append(f"requests per worker ({WORKERS} workers): " + "; ".join(
        str(sorted(r["requests_by_worker"], reverse=True)) for r in many))
    row.notes.append(
        f"wall (processes started to all done): {WORKERS} workers " + ", ".join(f"{r['wall_s']:.2f}" for r in many)
        + " s; 1 worker " + ", ".join(f"{r['wall_s']:.2f}" for r in single) + " s; of which sending (first "
        f"run began to last ended): {WORKERS} workers " + ", ".join(f"{r['send_s']:.2f}" for r in many)
        + " s; 1 worker " + ", ".join(f"{r['send_s']:.2f}" for r in single) + f" s; the mock answers after "
        f"{DELAY * 1000:.0f} ms")
    row.notes.append(f"CPU of the workers (all of them, start-up included): {WORKERS} workers " + ", ".join(
        f"{r['cpu_s']:.1f}" for r in many) + " s; 1 worker " + ", ".join(f"{r['cpu_s']:.1f}" for r in single)
        + " s; load average (1 min) when each send ended: " + ", ".join(f"{r['load_average']:.1f}" for r in runs)
        + f" on {os.cpu_count()} CPUs")
    row.data = {"families": families, "workers": WORKERS, "mock_delay_s": DELAY, "runs": runs,
                "ours_families_per_s": ours, "reference_families_per_s": reference}
    return row
