"""Checking and building an issue: what `check` and `build` do, as results."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from common.settings import Settings


@dataclass
class CheckResult:
    """An issue with no problems (problems raise NewsletterError, all at once): its size and
    translation status per language."""
    issue: object
    languages: list                       # blocks.build.BuiltLanguage per language


def check(settings: Settings, issue_dir: Path) -> CheckResult:
    from blocks.build import render_all, summarize
    from blocks.loader import load_issue

    from blocks.scaffold_publication import refuse_template_values

    issue = load_issue(issue_dir, library_dir=settings.library)
    refuse_template_values(issue, outcome="")
    return CheckResult(issue, [summarize(email, issue) for email in render_all(issue, stamp=settings.build_time)])


def build(settings: Settings, issue_dir: Path, out_dir: Path | None = None, drafts: bool = False):
    """Write the previews (HTML and text per language, calendar files, index.html) atomically.
    (the issue, the folder written, BuiltLanguage per language)."""
    from blocks.build import build_issue
    from blocks.loader import load_issue

    issue = load_issue(issue_dir, library_dir=settings.library)
    out_dir = out_dir or Path("build") / issue.key
    return issue, out_dir, build_issue(issue, out_dir, drafts=drafts, stamp=settings.build_time)
