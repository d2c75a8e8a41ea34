"""The web editions in the store: what `send` publishes and the preference center serves.

    publish(store, issue, web_url, rendered, replace=...)   one transaction, before any family gets it
    editions(), edition(), web_file(), files()             one issue's, as they were published
    listed_issues()                                        the archive: issues families got, newest first

An edition is written the first time any send of its issue publishes, and replaced only by a
send that delivers that language again (so it is always what the last families of that language
got); a send with nothing to deliver publishes nothing. The HTML is kept as sent, per-family
tokens included: web.py takes them out when it is shown.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from icalendar import Calendar
from sqlalchemy import delete, exists, insert, literal, select, update
from sqlalchemy.exc import IntegrityError

from blocks.i18n.status import language_status
from blocks.model import Issue
from blocks.render import RenderedEmail
from mailer.publish.naming import tag
from mailer.store.tables import send_log, utcnow, web_editions, web_files

ORIGINAL, HUMAN, PARTIAL, MACHINE = "original", "human", "partial", "machine"
_KIND_OF_OUTCOME = {"full": HUMAN, "partial": PARTIAL, "machine": MACHINE}
DELIVERED = ("sent", "queued")


@dataclass(frozen=True)
class Edition:
    publication: str
    issue: str
    lang: str
    kind: str                 # original, human (reviewed translation), partial (some sections in English), machine
    web_url: str              # the issue's address the messages carry
    subject: str
    preheader: str
    title: str
    period: str
    direction: str
    html: str                 # as sent: per-family tokens still in place
    published_at: dt.datetime
    updated_at: dt.datetime

    @property
    def tag(self) -> str:
        return tag(self.lang)


@dataclass(frozen=True)
class WebFile:
    publication: str
    issue: str
    name: str
    lang: str
    block_type: str
    title: str
    content: bytes
    updated_at: dt.datetime


@dataclass(frozen=True)
class Rendered:
    """One language as a send renders it: the email (with its calendar files) and the issue's title."""
    email: RenderedEmail
    kind: str
    title: str
    period: str


def edition_kind(issue: Issue, lang: str) -> str:
    if lang == issue.source_lang:
        return ORIGINAL
    return _KIND_OF_OUTCOME.get(language_status(issue, lang).outcome, HUMAN)


def publish(store, publication: str, issue: Issue, web_url: str, rendered: dict[str, Rendered],
            replace: set[str]) -> list[str]:
    """Write the editions not published yet, and replace those in `replace` (the languages this
    send delivers); returns the languages written."""
    types = {f"{block.id}-{suffix}.ics": block.template for block in issue.blocks
             for lang in rendered for suffix in {lang, tag(lang)}}
    for attempt in (1, 2):
        try:
            with store.write() as connection:
                return _publish(connection, publication, issue.slug, web_url, rendered, replace, types)
        except IntegrityError:          # another worker of the same send published it at the same moment
            if attempt == 2:
                raise
    return []


def _publish(connection, publication, issue, web_url, rendered, replace, types) -> list[str]:
    where = (web_editions.c.publication == publication) & (web_editions.c.issue == issue)
    existing = set(connection.scalars(select(web_editions.c.lang).where(where)))
    now, written = utcnow(), []
    for lang, item in rendered.items():
        if lang in existing and lang not in replace:
            continue
        email = item.email
        values = {"kind": item.kind, "web_url": web_url, "subject": email.subject, "preheader": email.preheader,
                  "title": item.title, "period": item.period, "direction": email.direction, "html": email.html,
                  "updated_at": now}
        if lang in existing:
            connection.execute(update(web_editions).where(where & (web_editions.c.lang == lang)).values(values))
        else:
            connection.execute(insert(web_editions).values(publication=publication, issue=issue, lang=lang,
                                                           published_at=now, **values))
        connection.execute(delete(web_files).where((web_files.c.publication == publication)
                                                   & (web_files.c.issue == issue) & (web_files.c.lang == lang)))
        for name, content in email.files.items():
            if name.startswith(IMAGES):           # the same picture in every edition: kept once, the newest
                connection.execute(delete(web_files).where((web_files.c.publication == publication)
                                                           & (web_files.c.issue == issue) & (web_files.c.name == name)))
            connection.execute(insert(web_files).values(
                publication=publication, issue=issue, name=name, lang=lang, block_type=types.get(name, ""),
                title=_calendar_name(content) if name.endswith(".ics") else "", content=content, updated_at=now))
        written.append(lang)
    return written


IMAGES = "images/"          # a block's picture, as the email links to it: <web edition>/images/<name>


def _calendar_name(content: bytes) -> str:
    return str(Calendar.from_ical(content).get("x-wr-calname", ""))


def _edition(row) -> Edition:
    return Edition(**{name: row._mapping[name] for name in Edition.__dataclass_fields__})


def _file(row) -> WebFile:
    return WebFile(**{name: row._mapping[name] for name in WebFile.__dataclass_fields__})


def _order(found: list[Edition]) -> list[Edition]:
    """The original first, then the translations by language code."""
    return sorted(found, key=lambda e: (e.kind != ORIGINAL, e.lang))


def editions(store, publication: str, issue: str) -> list[Edition]:
    with store.read() as connection:
        rows = connection.execute(select(web_editions).where(
            (web_editions.c.publication == publication) & (web_editions.c.issue == issue)))
        return _order([_edition(row) for row in rows])


def edition(store, publication: str, issue: str, name: str) -> Edition | None:
    """The edition called `name` (a language tag, zh-Hans, or code, zh_Hans)."""
    return next((e for e in editions(store, publication, issue) if name in (e.lang, e.tag)), None)


def web_file(store, publication: str, issue: str, name: str) -> WebFile | None:
    with store.read() as connection:
        row = connection.execute(select(web_files).where(
            (web_files.c.publication == publication) & (web_files.c.issue == issue)
            & (web_files.c.name == name))).first()
    return _file(row) if row else None


def files(store, publication: str, issue: str | None = None, block_type: str | None = None) -> list[WebFile]:
    """Files of one issue (or of every issue), by name: calendar files, and pictures (images/...)."""
    query = select(web_files).where(web_files.c.publication == publication).order_by(web_files.c.name)
    if issue is not None:
        query = query.where(web_files.c.issue == issue)
    if block_type is not None:
        query = query.where(web_files.c.block_type == block_type)
    with store.read() as connection:
        return [_file(row) for row in connection.execute(query)]


def listed_issues(store, publication: str, also: tuple[str, ...] = ()) -> list[list[Edition]]:
    """Issues at least one family got (and those in `also`), newest first: each as its editions."""
    key = web_editions.c.publication + literal("/") + web_editions.c.issue        # the send log's issue key
    delivered = exists().where((send_log.c.issue == key) & send_log.c.status.in_(DELIVERED))
    query = select(web_editions).where((web_editions.c.publication == publication)
                                       & (delivered | web_editions.c.issue.in_(also or ("",))))
    grouped: dict[str, list[Edition]] = {}
    with store.read() as connection:
        for row in connection.execute(query):
            grouped.setdefault(row.issue, []).append(_edition(row))
    issues = [_order(found) for found in grouped.values()]
    return sorted(issues, key=lambda found: (min(e.published_at for e in found), found[0].issue), reverse=True)
