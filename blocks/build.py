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

from blocks.model import Issue
from blocks.i18n.localize import localize
from blocks.i18n.status import OUTCOME_TEXT, LanguageStatus, language_status
from blocks.render import RenderedEmail, render_issue

GMAIL_CLIP_WARNING = 90 * 1024   # Gmail clips at ~102 KB and hides the footer


@dataclass(frozen=True)
class BuiltLanguage:
    lang: str
    subject: str
    html_bytes: int
    text_bytes: int
    outcome: str             # what a send would do for this language: full, partial, held
    status: LanguageStatus

    @property
    def too_big(self) -> bool:
        return self.html_bytes > GMAIL_CLIP_WARNING


def render_all(issue: Issue, drafts: bool = False) -> list[RenderedEmail]:
    """Each of the issue's languages as families would get it (drafts too, for previews, if asked)."""
    return [render_issue(localize(issue, lang, drafts=drafts), lang) for lang in issue.languages]


def summarize(email: RenderedEmail, issue: Issue) -> BuiltLanguage:
    status = language_status(issue, email.lang)
    return BuiltLanguage(email.lang, email.subject, len(email.html.encode()), len(email.text.encode()),
                         status.outcome, status)


def build_issue(issue: Issue, out_dir: Path, drafts: bool = False) -> list[BuiltLanguage]:
    emails = [email.preview() for email in render_all(issue, drafts=drafts)]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for email in emails:
            (staging / f"{email.lang}.html").write_text(email.html, encoding="utf-8")
            (staging / f"{email.lang}.txt").write_text(email.text, encoding="utf-8")
            for name, content in email.files.items():
                (staging / name).write_bytes(content)
        summaries = [summarize(email, issue) for email in emails]
        (staging / "index.html").write_text(index_page(issue, summaries), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summaries


def index_page(issue: Issue, summaries: list[BuiltLanguage]) -> str:
    """Every language side by side, with its translation status, for staff and bilingual reviewers."""
    rows, frames = [], []
    for s in summaries:
        name = html.escape(Locale.parse(s.lang).get_display_name("en"))
        native = html.escape(Locale.parse(s.lang).get_display_name(s.lang))
        size = f"{s.html_bytes / 1024:.0f} KB" + (" - may be clipped by Gmail" if s.too_big else "")
        waiting = ", ".join(f"{kind} {len(s.status.owners_with(kind))}" for kind in ("draft", "stale", "missing")
                            if s.status.owners_with(kind))
        rows.append(
            f'<tr><td>{name} (<span lang="{s.lang}">{native}</span>)</td>'
            f'<td lang="{s.lang}" dir="auto">{html.escape(s.subject)}</td>'
            f"<td>{html.escape(OUTCOME_TEXT[s.outcome])}<br><small>{s.status.percent_ready:.0f}% of words approved"
            f"{'; ' + waiting if waiting else ''}</small></td>"
            f'<td><a href="{s.lang}.html">HTML</a> · <a href="{s.lang}.txt">text</a></td><td>{size}</td></tr>')
        frames.append(f'<figure><figcaption>{name}</figcaption>'
                      f'<iframe src="{s.lang}.html" title="{name} preview" loading="lazy"></iframe></figure>')
    title = html.escape(f"{issue.title} - {issue.period}")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Previews: {title}</title>
<style>body{{font-family:Arial,sans-serif;margin:1.5rem;color:#1f2933}}table{{border-collapse:collapse;margin-bottom:1.5rem}}
td,th{{border:1px solid #cbd2d9;padding:.5rem .75rem;text-align:start;vertical-align:top}}a{{color:#1f4e79}}
.side{{display:flex;gap:1rem;overflow-x:auto}}figure{{margin:0}}figcaption{{font-weight:bold;margin-bottom:.25rem}}
iframe{{width:420px;height:80vh;border:1px solid #cbd2d9}}</style></head>
<body><h1>{title}</h1><p>Previews of issue <code>{html.escape(issue.slug)}</code>, one per language.
Unsubscribe and preference links are placeholders until the email is sent.
Blocks not yet approved in a language appear in English, marked as such.</p>
<table><thead><tr><th>Language</th><th>Subject</th><th>Translation</th><th>Preview</th><th>HTML size</th></tr></thead>
<tbody>{''.join(rows)}</tbody></table>
<div class="side">{''.join(frames)}</div></body></html>
"""
