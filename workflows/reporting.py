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
    return Store.of(settings)


def report(settings: Settings, issue_dir: Path) -> Reach:
    """The issue's reach per language and per school."""
    from blocks.loader import issue_key_for
    from mailer.reports.reach import reach

    key = issue_key_for(issue_dir)
    with _store(settings) as store:
        languages, schools = reach(store, key)
    return Reach(key, languages, schools)


def failures(settings: Settings, issue_dir: Path, segments: list[str] | None = None) -> list[dict]:
    """Every family of the segments the issue was sent to that it did not reach, whatever run
    touched it or none, with its status and the reason (email, language, status, reason, backend,
    updated_at). `segments`: names in audiences.yaml; default: every segment the send log names."""
    from blocks.loader import FILE_NAME, issue_key_for, load_publication
    from mailer.audiences.audiences_file import load_audiences
    from mailer.reports.reach import failures as not_reached
    from mailer.reports.reach import segments_sent_to

    key = issue_key_for(issue_dir)
    with _store(settings) as store:
        names = segments if segments else segments_sent_to(store, key)
        rules = []
        if names:
            publication = load_publication(Path(issue_dir).parent / FILE_NAME)
            audiences = load_audiences(settings.audiences)
            rules = [audiences.segment(name).of(publication.slug, publication.default_subscribe).rule
                     for name in names]
        return not_reached(store, key, rules)
