"""Who an issue reached, per language and school, and who it did not (from the send log: the truth)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.settings import Settings


@dataclass
class Reach:
    issue_key: str
    languages: dict                       # language -> counts (sent, delivered, bounced, ...)
    schools: dict                         # school -> counts

    @property
    def sent_anything(self) -> bool:
        return bool(self.languages)


def _store(settings: Settings):
    from mailer.store.subscribers import Store
    return Store.open(settings.db, publication=settings.legacy_publication)


def report(settings: Settings, issue_dir: Path) -> Reach:
    """The issue's reach per language and per school."""
    from blocks.loader import issue_key_for
    from mailer.reports.reach import reach

    key = issue_key_for(issue_dir)
    with _store(settings) as store:
        languages, schools = reach(store, key)
    return Reach(key, languages, schools)


def failures(settings: Settings, issue_dir: Path) -> list[dict]:
    """Every family the issue did not reach, with its status and the reason (email, language,
    status, reason, backend, updated_at)."""
    from blocks.loader import issue_key_for
    from mailer.reports.reach import failures as not_reached

    with _store(settings) as store:
        return not_reached(store, issue_key_for(issue_dir))
