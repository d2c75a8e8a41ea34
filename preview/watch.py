"""What the preview watches: the files an issue's emails are made from, and nothing else.

    the issue           <issue>/issue.yaml, <issue>/i18n/<lang>.po
    its publication     <issue>/../publication.yaml, <issue>/../i18n/<lang>.po
    library blocks      <newsletters>/library/*.yaml, <newsletters>/library/i18n/<lang>.po (or the
                        library the loader is given: publications.library_folder)
    templates           blocks/templates/**/*.j2
    chrome catalogs     blocks/i18n/chrome/<lang>.po

Editors' temporary and backup files (.name.swp, name~, .#name, 4913...) are not content and
are ignored, so one save is one rebuild.
"""
from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

from blocks.i18n.chrome import CATALOGS
from blocks.content_tree import library_folder
from blocks.render_env import TEMPLATES


class Watched:
    """The folders to watch, and a filter (watchfiles' watch_filter) for the files that matter."""

    def __init__(self, issue_dir: Path, library_dir: Path | str | None = None):
        issue = Path(issue_dir).resolve()
        self.rules = [
            (issue, ("issue.yaml", "i18n/*.po")),
            (issue.parent, ("publication.yaml", "i18n/*.po")),
            (library_folder(issue, library_dir).resolve(), ("*.yaml", "i18n/*.po", "chrome/*.po")),
            (TEMPLATES.resolve(), ("*.j2",)),
            (CATALOGS.resolve(), ("*.po",)),
        ]
        # a library not made yet (an issue with no library beside it) is watched from its parent, so it is
        # seen once made; watchfiles refuses a folder that does not exist
        found = {folder if folder.is_dir() else folder.parent for folder, _ in self.rules}
        folders = sorted((f for f in found if f.is_dir()), key=lambda f: len(f.parts))
        self.roots = [f for i, f in enumerate(folders) if not any(f.is_relative_to(o) for o in folders[:i])]

    def __call__(self, _change, path: str) -> bool:
        return self.matters(Path(path))

    def matters(self, path: Path) -> bool:
        name = path.name
        if name.startswith((".", "#")) or name.endswith("~"):
            return False
        for folder, patterns in self.rules:
            if path.is_relative_to(folder):
                inside = path.relative_to(folder).as_posix()
                if any(fnmatch(inside, pattern) for pattern in patterns):
                    return True
        return False

