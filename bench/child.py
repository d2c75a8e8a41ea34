"""One phase of a benchmark alone in a fresh process, as the real command would run it.

    python bench/child.py import FAMILIES STORE        write a roster of FAMILIES families next to
                                                       STORE and import it there
    python bench/child.py send STORE sendgrid PORT     send the sample issue to every family in STORE
    python bench/child.py send STORE outbox DIR          ... through the SendGrid mock or the outbox
    python bench/child.py crash STORE DIR AFTER        an outbox send that crashes (raises) after
                                                       AFTER messages
    python bench/child.py rerun STORE DIR              the same send again, noting when its backend
                                                       is first handed a message
    python bench/child.py worker URL PORT              one of N `send` workers: the SendGrid send of
                                                       the store at URL (e.g. PostgreSQL), sharing it
    python bench/child.py import-file ROSTER URL       import the roster file ROSTER into the store at
                                                       URL (SQLite or PostgreSQL), timing it

Prints one JSON line: what it did; `seconds`, from the start of this script (before the
project is imported) to the end; the peak RSS (VmHWM on Linux, where getrusage's ru_maxrss
still carries the parent's size from before exec; ru_maxrss elsewhere, and as a second
figure) and the RSS when the phase began its work.
"""
from __future__ import annotations

import time

STARTED = time.perf_counter()

import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common  # noqa: E402  (sets up the import path)
import fixtures  # noqa: E402


class Crash(RuntimeError):
    """The simulated crash."""


def _status_kb(field: str) -> int | None:
    """A memory figure of this process from /proc/self/status (Linux), in KiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def maxrss_kb() -> int:
    """getrusage's ru_maxrss. On Linux it keeps the parent's RSS at the time of the fork across
    exec, so a child of a big parent reports at least the parent's size."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak     # bytes on macOS, KiB on Linux


def peak_rss_kb() -> int:
    """This program's own peak RSS: VmHWM (reset at exec) where Linux has it, else ru_maxrss."""
    return _status_kb("VmHWM") or maxrss_kb()


def current_rss_kb() -> int:
    return _status_kb("VmRSS") or peak_rss_kb()


def backend_for(kind: str, where: str, issue):
    if kind == "sendgrid":
        from mailer.backends.sendgrid import SendGridBackend
        return SendGridBackend("SG.bench-key", host=f"http://127.0.0.1:{int(where)}", retries=0)
    from mailer.backends.outbox import OutboxBackend
    return OutboxBackend(where, issue.key)


def crashing(backend, after: int):
    """Make `backend` raise once it has been given `after` messages."""
    real, given = backend.send, [0]

    def send(messages, journal=None):
        for result in real(messages, journal):
            given[0] += 1
            if given[0] > after:
                raise Crash(f"simulated crash after {after} messages")
            yield result
    backend.send = send
    return backend


def stopwatch(backend, first: list):
    """Note in `first` the time (since STARTED) when `backend` is first given a message."""
    real = backend.send

    def send(messages, journal=None):
        if messages and not first:
            first.append(time.perf_counter() - STARTED)
        return real(messages, journal)
    backend.send = send
    return backend


def do_import(families: int, store_path: Path) -> dict:
    store_path.parent.mkdir(parents=True, exist_ok=True)
    roster = fixtures.write_roster(store_path.with_suffix(".csv"), families)
    start_rss = current_rss_kb()
    report = fixtures.import_into(fixtures.sqlite_url(store_path), roster)
    return {"families": len(report.added), "start_rss_kb": start_rss}


def do_import_file(roster: Path, url: str) -> dict:
    start_rss = current_rss_kb()
    start = time.perf_counter()
    report = fixtures.import_into(url, roster)
    return {"families": len(report.added), "updated": len(report.updated), "unchanged": report.unchanged,
            "rows": report.rows, "rejected": len(report.rejected), "written": report.written,
            "start_rss_kb": start_rss, "import_s": time.perf_counter() - start}


def do_send(store_path: Path | None, kind: str, where: str, crash_after: int = 0, first: list | None = None,
            url: str = "") -> dict:
    from mailer.store.subscribers import Store
    issue = bench_common.load_issue()
    backend = backend_for(kind, where, issue)
    if crash_after:
        backend = crashing(backend, crash_after)
    if first is not None:
        backend = stopwatch(backend, first)
    with Store.open(url or fixtures.sqlite_url(store_path)) as store:
        start_rss = current_rss_kb()
        run_start, run_start_epoch = time.perf_counter() - STARTED, time.time()
        try:
            report = bench_common.sender(issue, store, backend).run(None)
        except Crash:
            return {"crashed": True, "start_rss_kb": start_rss}
    found = {"results": dict(report.results), "skipped": dict(report.skipped), "confirmed": report.confirmed,
             "start_rss_kb": start_rss, "run_start_s": run_start, "run_start_epoch": run_start_epoch,
             "run_end_epoch": time.time(), "requests": getattr(backend, "requests_made", None),
             "by_language": {lang: dict(counts) for lang, counts in report.by_language.items()}}
    if first is not None:
        found["first_message_s"] = first[0] if first else None
    return found


def main(argv: list[str]) -> None:
    phase = argv[0] if argv else ""
    if phase == "import":
        result = do_import(int(argv[1]), Path(argv[2]))
    elif phase == "import-file":
        result = do_import_file(Path(argv[1]), argv[2])
    elif phase == "send":
        result = do_send(Path(argv[1]), argv[2], argv[3])
    elif phase == "crash":
        result = do_send(Path(argv[1]), "outbox", argv[2], crash_after=int(argv[3]))
    elif phase == "worker":
        result = do_send(None, "sendgrid", argv[2], url=argv[1])
    elif phase == "rerun":
        result = do_send(Path(argv[1]), "outbox", argv[2], first=[])
    else:
        raise SystemExit(__doc__)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result.update(peak_rss_kb=peak_rss_kb(), ru_maxrss_kb=maxrss_kb(), seconds=time.perf_counter() - STARTED,
                  cpu_s=usage.ru_utime + usage.ru_stime)
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
