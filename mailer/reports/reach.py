"""Reach of one issue, per language and per school: sent, delivered, bounced, opened, clicked, unsubscribed."""
from __future__ import annotations

import html
from collections import defaultdict

from sqlalchemy import select

from mailer.store.events import delivery_events
from mailer.store.tables import subscriber_schools
from mailer.send.sendlog import send_log

COLUMNS = ("sent", "delivered", "bounced", "opened", "clicked", "unsubscribed")
_EVENT_COLUMN = {"delivered": "delivered", "bounce": "bounced", "dropped": "bounced", "open": "opened",
                 "click": "clicked", "unsubscribe": "unsubscribed", "group_unsubscribe": "unsubscribed"}
OPENS_CAVEAT = ("Opens are a rough signal: Apple Mail Privacy Protection opens every message, and many "
                "mail programs block the images that count opens.")


def reach(store, issue: str) -> tuple[dict, dict]:
    """({language: {column: families}}, {school: {column: families}}) for `issue`."""
    languages: dict = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    schools: dict = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    with store.read() as connection:
        sent = {row.subscriber_id: row.language for row in connection.execute(
            select(send_log.c.subscriber_id, send_log.c.language)
            .where(send_log.c.issue == issue, send_log.c.status.in_(("sent", "queued"))))}
        seen = defaultdict(set)
        for row in connection.execute(select(delivery_events.c.subscriber_id, delivery_events.c.event)
                                      .where(delivery_events.c.issue == issue)):
            column = _EVENT_COLUMN.get(row.event)
            if column and row.subscriber_id in sent:
                seen[row.subscriber_id].add(column)
        school_of = defaultdict(list)
        for row in connection.execute(select(subscriber_schools.c.subscriber_id, subscriber_schools.c.school)):
            if row.subscriber_id in sent:
                school_of[row.subscriber_id].append(row.school)
    for subscriber_id, language in sent.items():
        columns = {"sent"} | seen.get(subscriber_id, set())
        for column in columns:
            languages[language][column] += 1
            for school in school_of.get(subscriber_id) or [""]:
                schools[school][column] += 1
    return dict(languages), dict(schools)


def table(rows: dict, label: str) -> str:
    lines = [f"{label:<24}" + "".join(f"{c:>13}" for c in COLUMNS)]
    for key in sorted(rows):
        lines.append(f"{key or '(no school)':<24}" + "".join(f"{rows[key][c]:>13}" for c in COLUMNS))
    return "\n".join(lines)


def html_page(issue: str, languages: dict, schools: dict) -> str:
    def rows_html(rows, label):
        head = "".join(f"<th scope='col'>{c}</th>" for c in COLUMNS)
        body = "".join(f"<tr><th scope='row'>{html.escape(k or '(no school)')}</th>"
                       + "".join(f"<td>{rows[k][c]}</td>" for c in COLUMNS) + "</tr>" for k in sorted(rows))
        return f"<table><caption>{label}</caption><thead><tr><th scope='col'>{label}</th>{head}</tr></thead>" \
               f"<tbody>{body}</tbody></table>"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>Reach: {html.escape(issue)}</title>
<style>body{{font-family:Arial,sans-serif;margin:1.5rem;color:#1f2933}}table{{border-collapse:collapse;margin:1rem 0}}
td,th{{border:1px solid #cbd2d9;padding:.35rem .6rem;text-align:end}}th[scope=row]{{text-align:start}}
caption{{text-align:start;font-weight:bold}}</style></head><body>
<h1>Reach of {html.escape(issue)}</h1>
{chart(languages)}
{rows_html(languages, "Language")}
{rows_html(schools, "School")}
<p>{OPENS_CAVEAT}</p></body></html>
"""


def chart(languages: dict) -> str:
    """A horizontal bar chart (inline SVG): per language, sent / delivered / opened / clicked."""
    shown = ("sent", "delivered", "opened", "clicked")
    colours = {"sent": "#1f4e79", "delivered": "#2e7d32", "opened": "#8a5a00", "clicked": "#6a1b9a"}
    peak = max([row["sent"] for row in languages.values()] or [1]) or 1
    bars, y = [], 30
    for lang in sorted(languages):
        bars.append(f'<text x="0" y="{y + 12}" font-size="14">{html.escape(lang)}</text>')
        for column in shown:
            width = 500 * languages[lang][column] / peak
            bars.append(f'<rect x="60" y="{y}" width="{width:.1f}" height="12" fill="{colours[column]}">'
                        f'<title>{lang} {column}: {languages[lang][column]}</title></rect>')
            y += 14
        y += 10
    legend = "".join(f'<rect x="{60 + i * 120}" y="4" width="12" height="12" fill="{colours[c]}"/>'
                     f'<text x="{76 + i * 120}" y="15" font-size="13">{c}</text>' for i, c in enumerate(shown))
    return (f'<svg role="img" aria-label="Families reached per language" width="600" height="{y}" '
            f'xmlns="http://www.w3.org/2000/svg">{legend}{"".join(bars)}</svg>')
