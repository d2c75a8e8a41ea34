"""Profile the hot path behind a benchmark row with cProfile, to find (or check) a fix.

    python bench/hotspots.py render     # row 1: localize + render_issue, every language
    python bench/hotspots.py roster     # row 7: read_roster (CSV, addresses, languages)
    python bench/hotspots.py import     # row 7: import_roster into a fresh store
    python bench/hotspots.py resume     # row 8: a rerun after a crash at 50%, up to its first new message
    python bench/hotspots.py journal    # row 4: the send log's per-message journal of the SMTP backend

Prints the functions with the most cumulative time (--sort tottime for own time).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_common  # noqa: E402
import fixtures  # noqa: E402


def render(ctx) -> None:
    from blocks.i18n.localize import localize
    from blocks.render import render_issue
    from rows.render import clear_content_caches, send_options
    issue = bench_common.load_issue()
    for lang in issue.languages:              # warm: templates compiled
        render_issue(localize(issue, lang), lang, **send_options())
    yield
    for _ in range(5):                        # as row 1 measures: content caches empty
        for lang in issue.languages:
            clear_content_caches()
            render_issue(localize(issue, lang), lang, **send_options())


def roster(ctx) -> None:
    from rows.importer import cold_caches
    path = fixtures.write_roster(ctx.workdir / "roster.csv", 10_000)
    cold_caches()
    yield
    fixtures.read_roster(path)


def import_(ctx) -> None:
    from mailer.roster.importer import import_roster
    from mailer.store.subscribers import Store
    from rows.importer import empty_store
    roster_ = fixtures.read_roster(fixtures.write_roster(ctx.workdir / "roster.csv", 10_000))
    path = empty_store(ctx.workdir)
    with Store.open(fixtures.sqlite_url(path), migrate=False) as store:
        yield
        import_roster(store, roster_)


def resume(ctx) -> None:
    from mailer.backends.outbox import OutboxBackend
    from mailer.store.subscribers import Store
    issue = bench_common.load_issue()
    store = ctx.workdir / "resume.db"
    ctx.stores.copy(10_000, store)
    out = bench_common.scratch_dir("bench-profile-")

    class First(Exception):
        pass

    def stop_at_first(messages, journal=None):
        raise First
    try:
        fixtures.run_child("crash", str(store), str(out), "5000")    # crashed in another process,
        with Store.open(fixtures.sqlite_url(store)) as opened:        # so this one starts cold
            backend = OutboxBackend(out, issue.key)
            backend.send = stop_at_first
            yield
            try:
                bench_common.sender(issue, opened, backend).run(None)
            except First:
                pass
    finally:
        shutil.rmtree(out, ignore_errors=True)


def journal(ctx) -> None:
    from mailer.send import sendlog
    from mailer.backends.backend import SendResult
    from mailer.store.subscribers import Store
    url = ctx.stores.copy(1_000, ctx.workdir / "journal.db")
    with Store.open(url) as store:
        ids = [r.id for batch in store.recipient_batches(None) for r in batch]
        rows = [{"subscriber_id": i, "email": f"{i}@example.org", "language": "en", "segment": "s",
                 "backend": "smtp", "message_id": f"<{i}@example.org>"} for i in ids]
        with store.write() as connection:
            sendlog.claim(connection, "profile", rows, sendlog.new_owner(), sendlog.PENDING, {})
        yield
        with store.serial_writes() as writes:  # what an SMTP send records per message (Sender._record)
            for i in ids:
                with writes.write() as connection:
                    sendlog.record(connection, "profile", [SendResult(i, "sent")])


TARGETS = {"render": render, "roster": roster, "import": import_, "resume": resume, "journal": journal}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", choices=TARGETS)
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    ctx = fixtures.Context.create(quick=False)
    try:
        steps = TARGETS[args.target](ctx)     # a generator: setup, yield, then the profiled work
        next(steps)
        profile = cProfile.Profile()
        profile.enable()
        for _ in steps:
            pass
        profile.disable()
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.top)
    finally:
        ctx.close()


if __name__ == "__main__":
    main()
