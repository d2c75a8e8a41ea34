"""Write an issue's previews: <lang>.html, <lang>.txt, calendar files and an index
(templates/pages/index.html.j2).

Everything is rendered in memory first and written to a temporary folder that replaces
the output folder only when complete, so a failed build never leaves half the files.
"""
from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jinja2
from babel import Locale

from blocks.model import Issue
from blocks.i18n.localize import localize
from blocks.i18n.status import OUTCOME_TEXT, LanguageStatus, language_status, local_providers
from blocks.render import RenderedEmail, render_issue

GMAIL_CLIP_WARNING = 90 * 1024   # Gmail clips at ~102 KB and hides the footer
PAGE_TEMPLATES = Path(__file__).parent / "templates" / "pages"


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


def render_all(issue: Issue, drafts: bool = False, stamp: dt.datetime | None = None) -> list[RenderedEmail]:
    """Each of the issue's languages as families would get it (drafts too, for previews, if asked);
    `stamp`: the calendar files' DTSTAMP (Settings.build_time), else now."""
    return [render_issue(localize(issue, lang, drafts=drafts), lang, stamp=stamp) for lang in issue.languages]


def summarize(email: RenderedEmail, issue: Issue) -> BuiltLanguage:
    status = language_status(issue, email.lang)
    return BuiltLanguage(email.lang, email.subject, len(email.html.encode()), len(email.text.encode()),
                         status.outcome, status)


def build_issue(issue: Issue, out_dir: Path, drafts: bool = False,
                stamp: dt.datetime | None = None) -> list[BuiltLanguage]:
    emails = [email.preview() for email in render_all(issue, drafts=drafts, stamp=stamp)]
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        for email in emails:
            (staging / f"{file_name(email.lang)}.html").write_text(email.html, encoding="utf-8")
            (staging / f"{file_name(email.lang)}.txt").write_text(email.text, encoding="utf-8")
            for name, content in email.files.items():      # calendar files, and the pictures (images/...)
                (staging / name).parent.mkdir(parents=True, exist_ok=True)
                (staging / name).write_bytes(content)
        summaries = [summarize(email, issue) for email in emails]
        (staging / "index.html").write_text(index_page(issue, summaries), encoding="utf-8")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        staging.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return summaries


def file_name(lang: str) -> str:
    """A language's preview file name: its BCP 47 tag (zh-Hans.html), as in the email's links."""
    return lang.replace("_", "-")


def index_page(issue: Issue, summaries: list[BuiltLanguage]) -> str:
    """Every language side by side, with its translation status, for staff and bilingual reviewers."""
    return _pages().get_template("index.html.j2").render(
        title=f"{issue.title} - {issue.period}", slug=issue.slug, rows=[_index_row(s) for s in summaries])


def _index_row(summary: BuiltLanguage) -> dict:
    """What index.html shows about one language, as plain values (the template escapes them)."""
    locale = Locale.parse(summary.lang)
    status = summary.status
    waiting = ", ".join(f"{kind} {len(status.owners_with(kind))}" for kind in ("machine", "draft", "stale", "missing")
                        if status.owners_with(kind))
    return {"lang": file_name(summary.lang), "name": locale.get_display_name("en"),
            "native": locale.get_display_name(summary.lang), "subject": summary.subject,
            "outcome": OUTCOME_TEXT[summary.outcome], "percent": f"{status.percent_ready:.0f}", "waiting": waiting,
            "kilobytes": f"{summary.html_bytes / 1024:.0f}", "too_big": summary.too_big,
            "machine_by": ", ".join(status.providers), "local": bool(local_providers(status))}


@lru_cache(maxsize=1)
def _pages() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(PAGE_TEMPLATES), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True)
