"""What one run of `send` did, per language: the numbers staff read and the JSON that is kept."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

OUTCOMES = ("sent", "queued", "rejected", "invalid", "failed", "in_doubt")


def families_text(count: int) -> str:
    """"1 family", "1,250 families": for what staff read."""
    return f"{count:,} famil{'y' if count == 1 else 'ies'}"


@dataclass
class SendReport:
    planned: Counter = field(default_factory=Counter)        # edition language -> families to send now
    by_school: Counter = field(default_factory=Counter)
    held: Counter = field(default_factory=Counter)           # family language -> families held
    skipped: Counter = field(default_factory=Counter)        # log status -> families already handled
    busy: int = 0                                            # claimed by another worker right now
    busy_runs: dict = field(default_factory=dict)            # "pid@host" -> families that live run holds
    results: Counter = field(default_factory=Counter)        # status -> families, this run
    by_language: dict[str, Counter] = field(default_factory=dict)   # edition -> status -> families
    segment_total: int = 0                                   # the segment's families (at the end, one snapshot:
    segment_delivered: int = 0                               #  = held + delivered + busy + not reached)
    not_reached: Counter = field(default_factory=Counter)    # status -> families no run has reached (yet)
    confirmed: int = 0                                       # found delivered after a crash
    stopped: str = ""                                        # why the run stopped early, if it did
    link_check: str = ""                                     # what was checked before sending (or "skipped")
    web: dict = field(default_factory=dict)                  # the web edition's address and languages published
    in_flight: list = field(default_factory=list)            # {subscriber_id, email, language, run}: families a
    #                                                          stopped run was transmitting to (sent again: maybe twice)

    def count(self, lang: str, status: str, n: int = 1) -> None:
        self.results[status] += n
        self.by_language.setdefault(lang, Counter())[status] += n

    @property
    def delivered(self) -> int:
        return self.results["sent"] + self.results["queued"]

    @property
    def in_flight_warning(self) -> str:
        """What staff must know when a run took over a stopped run's messages in transmission."""
        if not self.in_flight:
            return ""
        runs = sorted({f["run"] for f in self.in_flight})
        named = ", ".join(f"{f['email']} ({f['language']})" for f in self.in_flight)
        return (f"{families_text(len(self.in_flight))} may get this issue twice: run{'s' if len(runs) > 1 else ''} "
                f"{', '.join(runs)} stopped while transmitting to {'them' if len(self.in_flight) > 1 else 'it'} "
                f"(or about to), and they are sent again, with the same Message-ID (which mailbox providers use "
                f"to drop duplicates): {named}")

    def rows(self) -> list[tuple[str, dict[str, int]]]:
        """One row per edition language: planned and each outcome, then a total row."""
        rows = []
        for lang in sorted(set(self.planned) | set(self.by_language)):
            got = self.by_language.get(lang, Counter())
            rows.append((lang, {"planned": self.planned[lang], **{o: got[o] for o in OUTCOMES}}))
        total = {"planned": sum(self.planned.values()), **{o: self.results[o] for o in OUTCOMES}}
        return rows + [("total", total)]

    def to_json(self, **context) -> str:
        return json.dumps({
            **context,
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "languages": dict(self.rows()),
            "held": dict(self.held), "skipped": dict(self.skipped), "busy_elsewhere": self.busy,
            "busy_runs": self.busy_runs,
            "segment_standing": {"families": self.segment_total, "delivered": self.segment_delivered,
                                 "held": sum(self.held.values()), "busy_elsewhere": self.busy,
                                 "not_reached": dict(self.not_reached)},
            "by_school": dict(self.by_school), "confirmed_after_crash": self.confirmed, "stopped": self.stopped,
            "link_check": self.link_check, "web": self.web,
            "in_transmission_at_a_stop": {"warning": self.in_flight_warning,
                                          "families": [{k: f[k] for k in ("email", "language", "run")}
                                                       for f in self.in_flight]},
        }, indent=2, ensure_ascii=False)

    def save(self, folder: Path, run: str = "", **context) -> Path:
        """Write reports/<issue>/send-<time>-<run>.json (`run`: the run's owner id, so that runs
        finishing in the same second keep their own reports); returns its path."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        tag = re.sub(r"[^A-Za-z0-9.-]+", "-", run).strip("-")
        path = folder / (f"send-{stamp}-{tag}.json" if tag else f"send-{stamp}.json")
        path.write_text(self.to_json(run=run, **context), encoding="utf-8")
        return path
