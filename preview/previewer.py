"""The preview's model: the issue in every language, rebuilt from only what changed.

    Previewer(issue_dir).rebuild(changed_paths, first=open_languages) -> Snapshot
    Previewer.catch_up() -> Snapshot | None      # then: the languages no page shows
    Previewer.settle() -> Snapshot | None        # then: the full render behind quick ones

A rebuild reads the YAML again only when a .yaml file changed (a translation or a template
alone does not need it). Each language is localized and handed to incremental.Renderer,
which reuses its email if nothing it is made from changed (another language's PO file, a
save without a change), renders only the changed blocks if that is all, else the whole
email. Compiled templates and content caches stay warm in this long-running process, so no
edit pays the cold first render. Labels, statuses and warnings are remade every time (they
are cheap; the HTML checks are cached per section).

A mistake in the files never replaces the preview: the Snapshot keeps the last good views
and lists the problems, as `check` words them.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel import Locale

from blocks import render, render_env
from blocks.i18n import chrome
from blocks.i18n.localize import localize
from blocks.i18n.status import language_status
from blocks.loader import load_issue
from common.errors import NewsletterError
from common.problems import Problem
from common.yaml_source import display_path
from preview import checks
from preview.incremental import Edition, Renderer
from preview.sections import BlockLabel, Cut, head_shape, inbox, labelled

CHROME_CATALOGS = chrome.CATALOGS.resolve()


@dataclass(frozen=True)
class LanguageView:
    """One language's email as the page shows it."""

    lang: str
    name: str                 # in English, e.g. Spanish
    native: str               # e.g. español
    direction: str
    sender: str               # the From name, as the inbox shows it
    subject: str
    preheader: str
    shown: Cut                # the HTML, tokens shown as placeholders, block labels added, in sections
    text: str                 # the plain-text part, tokens shown as placeholders
    files: dict[str, bytes]   # calendar files
    html_bytes: int           # of the email as sent (before placeholders)
    outcome: str              # full, partial, held
    labels: tuple[BlockLabel, ...]
    labelled: bool            # False when the blocks could not be matched to the HTML
    digests: dict             # head, inbox, sections (one each), text: a frame changes where they do

    @property
    def inbox(self) -> dict[str, str]:
        return inbox(self.shown.head)

    @property
    def frame(self) -> str:
        return self.shown.head + "".join(self.shown.sections)

    def count(self, status: str) -> int:
        return sum(1 for item in self.labels if item.status == status)


@dataclass(frozen=True)
class Snapshot:
    version: int
    issue_dir: str
    title: str
    views: dict[str, LanguageView]           # last good view of each language, in the issue's order
    problems: tuple[Problem, ...] = ()
    warnings: tuple[checks.Finding, ...] = ()
    good_at: str | None = None               # when the views were last rebuilt without problems
    built_at: str = ""                       # when the files were last read
    rebuild_ms: float = 0.0
    rendered: tuple[tuple[str, str], ...] = ()   # (language, "quick" or "full") rendered again
    summary: str = ""                        # what the last rebuild did, for the page and the terminal
    settling: bool = False                   # quick renders wait for settle(), languages for catch_up()


class Previewer:
    def __init__(self, issue_dir: Path | str, drafts: bool = False, library_dir: Path | str | None = None):
        self.issue_dir, self.drafts, self.library_dir = Path(issue_dir), drafts, library_dir
        self.issue = None
        self.renderer = Renderer()
        self.section_checks = checks.SectionChecks()
        self.snapshot = Snapshot(0, str(self.issue_dir), self.issue_dir.name, {})
        self._found: dict[str, list] = {}        # each language's warnings, as last made
        self._unreadable = False                 # the files had problems when last read
        self._pending: set[str] = set()          # languages whose view is behind the files (catch_up)
        self._templates: tuple = ()

    def rebuild(self, changed: Iterable[Path | str] = (), first: Iterable[str] | None = None) -> Snapshot:
        """Bring the snapshot up to date with the files (all of them when `changed` is empty): the
        languages in `first` (all if None); the others wait for catch_up()."""
        start = time.perf_counter()
        changed = [Path(p) for p in changed]
        problems: list[Problem] = []
        issue = self.issue
        if issue is None or self._unreadable or not changed or any(p.suffix == ".yaml" for p in changed):
            try:
                issue = load_issue(self.issue_dir, self.library_dir)
            except NewsletterError as e:
                problems, issue = list(e.problems), None
            self._unreadable = issue is None
        if any(p.resolve().is_relative_to(CHROME_CATALOGS) or p.parent.name == chrome.REVIEWED for p in changed):
            render.reload_chrome()
        old = self.snapshot
        views, rendered = dict(old.views), []
        if issue is not None:
            self.issue, views, self._templates = issue, {}, _stamps(render_env.TEMPLATES)
            first = set(issue.languages if first is None else first)
            for lang in issue.languages:
                if lang in first or lang not in old.views:
                    self._pending.discard(lang)
                    self._render(lang, views, problems, rendered)
                else:                            # not on any open page: the last view, until catch_up()
                    self._pending.add(lang)
                    views[lang] = old.views[lang]
            self._pending &= set(issue.languages)
        return self._snapshot(views, problems, start, tuple(rendered), _summary(changed, problems, rendered, start))

    def catch_up(self, stop=lambda: False) -> Snapshot | None:
        """Render the languages the last rebuilds left behind, one by one until `stop()`; a new
        snapshot if any was, else None."""
        old, views, problems, rendered = self.snapshot, dict(self.snapshot.views), list(self.snapshot.problems), []
        for lang in [lang for lang in old.views if lang in self._pending]:
            if stop():
                break
            self._pending.discard(lang)
            self._render(lang, views, problems, rendered)
        return self._snapshot(views, problems, None, tuple(rendered), old.summary) \
            if rendered or problems != list(old.problems) else None

    def _render(self, lang: str, views: dict, problems: list, rendered: list) -> None:
        """Render `lang` from self.issue into views (the last good view if it fails)."""
        issue, old = self.issue, self.snapshot
        try:
            localized = localize(issue, lang, drafts=self.drafts)
            catalogs = [chrome.catalog_path(lang), chrome.catalog_path(lang, chrome.reviewed_folder(issue.library))]
            made_with = (lang, self.drafts, self._templates, *(_stamps(c) if c else None for c in catalogs))
            edition, how = self.renderer.render(localized, lang, made_with)
            views[lang] = self._view(issue, lang, edition)
            rendered += [(lang, how)] if how != "same" else []
        except Exception as e:  # a broken template or translation must not stop the preview
            problems.append(_render_problem(lang, e))
            if lang in old.views:
                views[lang] = old.views[lang]

    def settle(self, stop=lambda: False) -> Snapshot | None:
        """Render in full what the last rebuild rendered quickly (renderer.settle), language by
        language until `stop()`; a new snapshot if any was, else None."""
        old, views, settled = self.snapshot, dict(self.snapshot.views), []
        for lang in old.views:
            if stop():
                break
            try:
                if self.renderer.settle(lang) is not None:
                    views[lang] = self._view(self.issue, lang, self.renderer.editions[lang])
                    settled.append((lang, "full"))
            except Exception as e:
                return self._snapshot(views, [*old.problems, _render_problem(lang, e)], None, (), old.summary)
        return self._snapshot(views, list(old.problems), None, tuple(settled), old.summary) if settled else None

    def _snapshot(self, views, problems, start: float | None, rendered, summary: str) -> Snapshot:
        """The next snapshot; `start` None for settle(), which keeps the rebuild's time and figures."""
        old, issue = self.snapshot, self.issue
        warnings = tuple(checks.merge({lang: self._found[lang] for lang in views if lang in self._found}))
        now = dt.datetime.now().strftime("%H:%M:%S") if start is not None else old.built_at
        self.snapshot = Snapshot(
            old.version + 1, str(self.issue_dir), f"{issue.title} - {issue.period}" if issue else old.title,
            views, tuple(problems), warnings, now if not problems else old.good_at, now,
            (time.perf_counter() - start) * 1000 if start is not None else old.rebuild_ms, rendered, summary,
            self.renderer.settling or bool(self._pending))
        return self.snapshot

    def _view(self, issue, lang: str, edition: Edition) -> LanguageView:
        localized, email = edition.localized, edition.email
        status = language_status(issue, lang)
        statuses = {owner.owner: owner.status for owner in status.owners}
        source = lang == issue.source_lang
        labels = tuple(BlockLabel(block.id, block.type, "source" if source else statuses.get(block.id, "missing"),
                                  _name(block.lang) if block.lang else None) for block in localized.blocks)
        labelled_ok = edition.shown.blocks == len(labels)
        frame = labelled(edition.shown, list(labels))
        html_bytes = len(email.html.encode())
        found = self.section_checks.email(edition.shown, [block.id for block in localized.blocks])
        found += checks.language_findings(html_bytes, email.subject, status, email.files, display_path(issue.path))
        if not labelled_ok:
            found.append(("labels", f"block labels are not shown: the email has {edition.shown.blocks} block "
                          f"sections for {len(labels)} blocks", "a block template must be one m.section()"))
        self._found[lang] = found
        digests = {"head": _digest(head_shape(frame.head)), "inbox": _digest(repr(inbox(frame.head))),
                   "sections": [_digest(part) for part in frame.sections], "text": _digest(edition.text)}
        return LanguageView(lang, _name(lang), Locale.parse(lang).get_display_name(lang), email.direction,
                            localized.publication.sender.name, email.subject, email.preheader, frame, edition.text,
                            email.files, html_bytes, status.outcome, labels, labelled_ok, digests)


def _summary(changed: list[Path], problems: list, rendered: list, start: float) -> str:
    took = f"{(time.perf_counter() - start) * 1000:.0f} ms"
    saved = ", ".join(sorted({p.name for p in changed})) + " saved: " if changed else ""
    if problems:
        return f"{saved}{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    if not changed:
        return f"built in {took}"
    if not rendered:
        return f"{saved}the emails are the same ({took})"
    quick = all(how == "quick" for _, how in rendered)
    langs = ", ".join(lang for lang, _ in rendered)
    return f"{saved}{langs} updated{' (changed blocks only)' if quick else ''} in {took}"


def _digest(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _stamps(path: Path) -> tuple:
    files = sorted(path.rglob("*")) if path.is_dir() else [path]
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file())


def _name(lang: str) -> str:
    return Locale.parse(lang).get_display_name("en")


def _render_problem(lang: str, error: Exception) -> Problem:
    if not isinstance(error, render.RenderError):
        traceback.print_exc(file=sys.stderr)
    return Problem("", lang, f"the {_name(lang)} email could not be rendered: {error}",
                   "if you just changed a translation (.po) or a template, look there; the last good preview "
                   "stays meanwhile (details in the terminal)")
