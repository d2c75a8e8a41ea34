"""Write an issue's previews: <lang>.html, <lang>.txt, calendar files and an index.

Everything is rendered in memory first and written to a temporary folder that replaces
the output folder only when complete, so a failed build never leaves half the files.
"""
from __future__ import annotations

import html
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from .model import Issue
from .render import RenderedEmail, render_issue

GMAIL_CLIP_WARNING = 90 * 1024   # Gmail clips at ~102 KB and hides the footer


@dataclass(frozen=True)
class BuiltLanguage:
    lang: str
    subject: str
    html_bytes: int
    text_bytes: int

    @property
    def too_big(self) -> bool:
        return self.html_bytes > GMAIL_CLIP_WARNING


def render_all(issue: Issue) -> list[RenderedEmail]:
    return [render_issue(issue, lang) for lang in issue.languages]


def summarize(email: RenderedEmail) -> BuiltLanguage:
    return BuiltLanguage(email.lang, email.subject, len(email.html.encode()), len(email.text.encode()))


def build_issue(issue: Issue, out_dir: Path) -> list[BuiltLanguage]:
    emails = [email.preview() for email in render_all(issue)]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for email in emails:
            (staging / f"{email.lang}.html").write_text(email.html, encoding="utf-8")
            (staging / f"{email.lang}.txt").write_text(email.text, encoding="utf-8")
            for name, content in email.files.items():
                (staging / name).write_bytes(content)
        summaries = [summarize(email) for email in emails]
        (staging / "index.html").write_text(index_page(issue, summaries), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summaries


def index_page(issue: Issue, summaries: list[BuiltLanguage]) -> str:
    rows = []
    for s in summaries:
        name = Locale.parse(s.lang).get_display_name(s.lang)
        size = f"{s.html_bytes / 1024:.0f} KB" + (" (may be clipped by Gmail)" if s.too_big else "")
        rows.append(
            f'<tr><td lang="{s.lang}">{html.escape(name)} ({s.lang})</td>'
            f'<td lang="{s.lang}" dir="auto">{html.escape(s.subject)}</td>'
            f'<td><a href="{s.lang}.html">HTML preview</a> · <a href="{s.lang}.txt">plain text</a></td>'
            f"<td>{size}</td></tr>")
    title = html.escape(f"{issue.title} - {issue.period}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Previews: {title}</title>
<style>body{{font-family:Arial,sans-serif;margin:2rem;color:#1f2933}}table{{border-collapse:collapse}}
td,th{{border:1px solid #cbd2d9;padding:.5rem .75rem;text-align:start}}a{{color:#1f4e79}}</style></head>
<body><h1>{title}</h1><p>Previews of issue <code>{html.escape(issue.slug)}</code>, one per language.
Links for unsubscribing and preferences are placeholders until the email is sent.</p>
<table><thead><tr><th>Language</th><th>Subject</th><th>Preview</th><th>HTML size</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table></body></html>
"""
