"""Reach of one issue, per language and per school: sent, delivered, bounced, opened, clicked, unsubscribed."""
from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from sqlalchemy import and_, select

from mailer.store.delivery_events import delivery_events
from mailer.store.queries import SUBSCRIBED
from mailer.store.rules import clause_for
from mailer.store.tables import send_log, subscriber_schools, subscribers

COLUMNS = ("sent", "delivered", "bounced", "opened", "clicked", "unsubscribed",
           "rejected", "invalid", "failed", "in_doubt", "pending")
NOT_SENT = ("rejected", "invalid", "failed", "in_doubt", "pending", "sending")
_EVENT_COLUMN = {"delivered": "delivered", "bounce": "bounced", "dropped": "bounced", "open": "opened",
                 "click": "clicked", "unsubscribe": "unsubscribed", "group_unsubscribe": "unsubscribed"}
CHART_COLUMNS = ("sent", "delivered", "opened", "clicked")
COLOURS = {"sent": "#1f4e79", "delivered": "#2e7d32", "opened": "#8a5a00", "clicked": "#6a1b9a"}
_PAGES = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True,
                     undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
OPENS_CAVEAT = ("Opens are a rough signal: Apple Mail Privacy Protection opens every message, and many "
                "mail programs block the images that count opens.")


def reach(store, issue: str) -> tuple[dict, dict]:
    """({language: {column: families}}, {school: {column: families}}) for `issue`."""
    languages: dict = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    schools: dict = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    with store.read() as connection:
        sent, not_sent = {}, {}
        for row in connection.execute(select(send_log.c.subscriber_id, send_log.c.language, send_log.c.status)
                                      .where(send_log.c.issue == issue)):
            if row.status in ("sent", "queued"):
                sent[row.subscriber_id] = row.language
            else:
                not_sent[row.subscriber_id] = (row.language, "pending" if row.status == "sending" else row.status)
        seen = defaultdict(set)
        for row in connection.execute(select(delivery_events.c.subscriber_id, delivery_events.c.event)
                                      .where(delivery_events.c.issue == issue)):
            column = _EVENT_COLUMN.get(row.event)
            if column and row.subscriber_id in sent:
                seen[row.subscriber_id].add(column)
        school_of = defaultdict(list)
        for row in connection.execute(select(subscriber_schools.c.subscriber_id, subscriber_schools.c.school)):
            if row.subscriber_id in sent or row.subscriber_id in not_sent:
                school_of[row.subscriber_id].append(row.school)
    outcomes = [(i, lang, {"sent"} | seen.get(i, set())) for i, lang in sent.items()]
    outcomes += [(i, lang, {status}) for i, (lang, status) in not_sent.items()]
    for subscriber_id, language, columns in outcomes:
        for column in columns:
            languages[language][column] += 1
            for school in school_of.get(subscriber_id) or [""]:
                schools[school][column] += 1
    return dict(languages), dict(schools)


def table(rows: dict, label: str) -> str:
    lines = [f"{label:<20}" + "".join(f"{c.replace('_', ' '):>13}" for c in COLUMNS)]
    for key in sorted(rows):
        lines.append(f"{key or '(no school)':<20}" + "".join(f"{rows[key][c]:>13}" for c in COLUMNS))
    return "\n".join(lines)


def failures(store, issue: str, segments=()) -> list[dict]:
    """Every family of `issue` not reached, with status and reason, by address: what the send
    log holds (failed, rejected, invalid, in doubt, pending: whatever run wrote it), and the
    subscribed families of `segments` (segment rules) no run has tried ("pending", no row)."""
    c = send_log.c
    found: dict[str, dict] = {}
    with store.read() as connection:
        for r in connection.execute(select(c.email, c.language, c.status, c.detail, c.backend, c.updated_at)
                                    .where(c.issue == issue, c.status.in_(NOT_SENT))):
            found[r.email] = {"email": r.email, "language": r.language,
                              "status": "pending" if r.status == "sending" else r.status, "reason": r.detail or (
                                  "claimed, not sent yet" if r.status in ("pending", "sending") else ""),
                              "backend": r.backend, "updated_at": r.updated_at.isoformat(timespec="seconds")}
        untried = subscribers.outerjoin(send_log, and_(c.subscriber_id == subscribers.c.id, c.issue == issue))
        for rule in segments:
            for r in connection.execute(select(subscribers.c.email, subscribers.c.language).select_from(untried)
                                        .where(SUBSCRIBED, clause_for(rule), c.id.is_(None))):
                found.setdefault(r.email, {"email": r.email, "language": r.language, "status": "pending",
                                           "reason": "not tried by any run (run the send; or its language is held)",
                                           "backend": "", "updated_at": ""})
    return [found[email] for email in sorted(found)]


def segments_sent_to(store, issue: str) -> list[str]:
    """The segments the send log names for `issue` (what its runs were sent to)."""
    with store.read() as connection:
        return sorted(connection.execute(select(send_log.c.segment).distinct().where(send_log.c.issue == issue))
                      .scalars())


def html_page(issue: str, languages: dict, schools: dict) -> str:
    """The reach report as a page (templates/reach.html.j2, autoescaped), with a bar chart."""
    return _PAGES.get_template("reach.html.j2").render(
        issue=issue, languages=languages, schools=schools, columns=COLUMNS, caveat=OPENS_CAVEAT,
        chart=chart(languages))


def chart(languages: dict) -> dict:
    """Geometry of a horizontal bar chart: per language, sent / delivered / opened / clicked."""
    peak = max([row["sent"] for row in languages.values()] or [1]) or 1
    groups, y = [], 30
    for lang in sorted(languages):
        group = {"lang": lang, "y": y, "bars": []}
        for column in CHART_COLUMNS:
            group["bars"].append({"column": column, "y": y, "value": languages[lang][column],
                                  "width": 500 * languages[lang][column] / peak, "colour": COLOURS[column]})
            y += 14
        groups.append(group)
        y += 10
    legend = [{"x": 60 + i * 120, "colour": COLOURS[c], "column": c} for i, c in enumerate(CHART_COLUMNS)]
    return {"height": y, "groups": groups, "legend": legend}
