"""The draft checked by the same engine and words as `compose.py check`: the edited issue.yaml is
loaded by blocks.loader.load_issue from a scratch copy of its folder (its publication.yaml beside
it, its translations linked), so every problem is the one `check` would print for that text."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from blocks.loader import load_issue
from blocks.content_tree import FILE_NAME, library_folder
from common.errors import NewsletterError
from common.problems import Problem


@contextmanager
def checked(issue_dir: Path, text: str, shown: str, library_dir: Path | None = None):
    """(Issue or None, problems) for `text` as issue_dir/issue.yaml; the Issue is usable (rendered)
    inside the with-block only. Problems of the scratch file name `shown` instead. Library blocks
    come from `library_dir` (NEWSLETTER_LIBRARY), else the issue's own newsletters/library/."""
    issue_dir = Path(issue_dir).resolve()
    library = library_folder(issue_dir, library_dir)
    with tempfile.TemporaryDirectory(prefix="studio-") as scratch:
        publication = Path(scratch) / issue_dir.parent.name
        folder = publication / issue_dir.name
        folder.mkdir(parents=True)
        shutil.copy(issue_dir.parent / FILE_NAME, publication / FILE_NAME)
        if (issue_dir.parent / "glossary.yaml").exists():
            shutil.copy(issue_dir.parent / "glossary.yaml", publication / "glossary.yaml")
        if (issue_dir.parent / "i18n").is_dir():
            (publication / "i18n").symlink_to(issue_dir.parent / "i18n", target_is_directory=True)
        if (issue_dir / "i18n").is_dir():
            (folder / "i18n").symlink_to(issue_dir / "i18n", target_is_directory=True)
        if (issue_dir / "images").is_dir():
            (folder / "images").symlink_to(issue_dir / "images", target_is_directory=True)
        (folder / "issue.yaml").write_text(text, encoding="utf-8")
        try:
            issue, problems = load_issue(folder, library_dir=library), []
        except NewsletterError as e:
            issue, problems = None, [_renamed(p, folder / "issue.yaml", shown) for p in e.problems]
        yield issue, problems


def _renamed(problem: Problem, scratch: Path, shown: str) -> Problem:
    if problem.file and Path(problem.file).resolve() == scratch.resolve():
        return Problem(shown, problem.key, problem.message, problem.hint, problem.line)
    return problem
