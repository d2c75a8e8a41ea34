"""Every send's progress, in the store: workflows.sending.send writes it as results come in (whoever
started the send: the CLI, the worker, a script), and anyone may read it (the studio's live
progress page, by server-sent events).

    recorder = Recorder.start(store, issue_key, segment, backend, owner, planned)   # by send()
    recorder.update(report); recorder.finish(report, state)
    latest(store, issue_key) -> RunProgress | None     # per language sent, queued, failed, in doubt;
                                                       # rate and time left

Writes are throttled (at most one a second, and always the last); a store that cannot take one
never stops the send (progress is a view, the send log is the truth).
"""
from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from mailer.store.tables import send_runs, utcnow

RUNNING, DONE, STOPPED = "running", "done", "stopped"
SHOWN = ("sent", "queued", "failed", "in_doubt", "rejected", "invalid")


def _counts(planned: Counter, report=None) -> dict:
    languages = sorted(set(planned) | set(getattr(report, "by_language", {}) or {}))
    counts = {}
    for lang in languages:
        got = (report.by_language.get(lang) if report is not None else None) or Counter()
        counts[lang] = {"planned": int(planned.get(lang, 0)), **{s: int(got.get(s, 0)) for s in SHOWN}}
    return counts


class Recorder:
    """One send's progress row."""

    def __init__(self, store, run_id: int | None, planned: Counter, every: float = 1.0):
        self.store, self.id, self.planned, self.every = store, run_id, Counter(planned), every
        self._last = 0.0
        self._lock = threading.Lock()

    @classmethod
    def start(cls, store, issue_key: str, segment: str, backend: str, owner: str, planned: Counter,
              every: float = 1.0) -> "Recorder":
        now = utcnow()
        try:
            with store.write() as connection:
                run_id = connection.execute(insert(send_runs).values(
                    issue=issue_key, segment=segment, backend=backend, owner=owner[:64], state=RUNNING,
                    total=sum(planned.values()), done=0, counts=json.dumps(_counts(Counter(planned))),
                    started_at=now, updated_at=now)).inserted_primary_key[0]
        except SQLAlchemyError:
            run_id = None
        return cls(store, run_id, planned, every)

    def update(self, report, *, force: bool = False) -> None:
        if self.id is None:
            return
        if not force and time.monotonic() - self._last < self.every:
            return
        if not self._lock.acquire(blocking=force):
            return
        try:
            self._last = time.monotonic()
            self._write(report)
        finally:
            self._lock.release()

    def finish(self, report, state: str, detail: str = "") -> None:
        if self.id is None:
            return
        with self._lock:
            self._write(report, state=state, finished_at=utcnow(), detail=detail[:2000])

    def _write(self, report, **more) -> None:
        done = sum(report.results[s] for s in SHOWN) if report is not None else 0
        try:
            with self.store.write() as connection:
                connection.execute(update(send_runs).where(send_runs.c.id == self.id).values(
                    done=done, counts=json.dumps(_counts(self.planned, report)), updated_at=utcnow(), **more))
        except SQLAlchemyError:
            pass


@dataclass(frozen=True)
class RunProgress:
    id: int
    issue: str
    segment: str
    backend: str
    state: str
    total: int
    done: int
    languages: dict                    # lang -> {planned, sent, queued, failed, in_doubt, rejected, invalid}
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    detail: str

    @property
    def percent(self) -> int:
        if self.state == DONE and not self.total:
            return 100
        return 100 if self.total and self.done >= self.total else int(100 * self.done / self.total) if self.total else 0

    @property
    def per_minute(self) -> float:
        seconds = ((self.finished_at or self.updated_at) - self.started_at).total_seconds()
        return 60 * self.done / seconds if seconds > 0 else 0.0

    @property
    def seconds_left(self) -> int | None:
        if self.state != RUNNING:
            return 0
        rate = self.per_minute / 60
        return int((self.total - self.done) / rate) if rate > 0 else None

    def as_dict(self) -> dict:
        return {"id": self.id, "issue": self.issue, "segment": self.segment, "state": self.state,
                "total": self.total, "done": self.done, "percent": self.percent, "languages": self.languages,
                "per_minute": round(self.per_minute, 1), "seconds_left": self.seconds_left,
                "started_at": self.started_at.isoformat(timespec="seconds"),
                "finished_at": self.finished_at.isoformat(timespec="seconds") if self.finished_at else None,
                "detail": self.detail}


def _progress(row) -> RunProgress:
    return RunProgress(row.id, row.issue, row.segment, row.backend, row.state, row.total, row.done,
                       json.loads(row.counts), row.started_at, row.updated_at, row.finished_at, row.detail)


def latest(store, issue_key: str) -> RunProgress | None:
    """The newest send of the issue (running or finished), or None if it never was sent."""
    with store.read() as connection:
        row = connection.execute(select(send_runs).where(send_runs.c.issue == issue_key)
                                 .order_by(send_runs.c.id.desc()).limit(1)).first()
    return _progress(row) if row else None


def runs(store, issue_key: str, limit: int = 20) -> list[RunProgress]:
    with store.read() as connection:
        rows = connection.execute(select(send_runs).where(send_runs.c.issue == issue_key)
                                  .order_by(send_runs.c.id.desc()).limit(limit)).all()
    return [_progress(row) for row in rows]
