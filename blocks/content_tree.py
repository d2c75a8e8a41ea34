"""Where publications and their issues are: newsletters/<publication>/publication.yaml beside
newsletters/<publication>/<issue>/issue.yaml (one folder per office writing to families).

A publication's identity is its slug: `slug:` in publication.yaml, else its folder's name. The
single-publication layout of earlier versions (newsletters/publication.yaml beside the issues)
still loads; its slug is `slug:` or the name in lowercase with dashes.

Beside the publications, newsletters/library/ holds the standing blocks any issue may include
(<name>.yaml), their translations (i18n/<lang>.po) and the footer and page strings approved in
the studio (chrome/<lang>.po): content, like the issues, so it is never inside the Python package. It is neither a publication nor an issue. An issue's library is
`library_folder(issue)`: the setting NEWSLETTER_LIBRARY when given, else <newsletters>/library
of the newsletters folder the issue lives in.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

FILE_NAME = "publication.yaml"
ROOT = Path("newsletters")
LIBRARY = "library"         # <newsletters>/library/: the standing blocks, never a publication or an issue
# First path parts the preference center uses itself: a publication cannot be called so.
RESERVED = frozenset({"u", "p", "healthz", "webhooks", "static"})


def slugify(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "newsletter"


def default_slug(folder: Path, name: str) -> str:
    """The slug of a publication without `slug:`: its folder's name, or (the old layout, where
    publication.yaml sits in newsletters/ itself) its name in lowercase with dashes."""
    folder = Path(folder).resolve()
    return slugify(name) if folder.name == ROOT.name else slugify(folder.name)


def publication_folders(root: Path = ROOT) -> list[Path]:
    """Every folder holding a publication.yaml: newsletters/*/ and, in the old layout, newsletters/
    (so never newsletters/library/, which has none: `new-publication` refuses that folder)."""
    root = Path(root)
    found = sorted(p.parent for p in root.glob(f"*/{FILE_NAME}"))
    return ([root] if (root / FILE_NAME).is_file() else []) + found


def newsletters_root(publication_folder: Path) -> Path:
    """The newsletters folder a publication is in: its parent (newsletters/<publication>/), or the
    folder itself in the old layout (publication.yaml in newsletters/)."""
    folder = Path(publication_folder).resolve()
    return folder if folder.name == ROOT.name else folder.parent


def library_folder(issue_dir: Path, library_dir: Path | str | None = None) -> Path:
    """The library of standing blocks an issue includes from: `library_dir` (the setting
    NEWSLETTER_LIBRARY) when given, else the `library` folder of the newsletters folder the issue
    is in (an issue at X/newsletters/equity/2021-09 includes from X/newsletters/library)."""
    return library_of(newsletters_root(Path(issue_dir).resolve().parent), library_dir)


def library_of(newsletters: Path, library_dir: Path | str | None = None) -> Path:
    """The library of the newsletters folder `newsletters` (NEWSLETTER_LIBRARY when given): for
    what is shared by every publication there (the district's reviewed chrome strings too)."""
    return Path(library_dir) if library_dir else Path(newsletters).resolve() / LIBRARY


def is_library(folder: Path) -> bool:
    """Whether `folder` is (inside) a library of standing blocks rather than a publication or an issue."""
    folder = Path(folder).resolve()
    return any(f.name == LIBRARY and not (f / FILE_NAME).is_file() and not (f / "issue.yaml").is_file()
               for f in (folder, folder.parent))


def slug_of(folder: Path) -> str | None:
    """The slug of the publication in `folder`, read quickly (None if its file does not load)."""
    from common.yaml_source import load_yaml
    doc, _ = load_yaml(Path(folder) / FILE_NAME)
    if doc is None or not isinstance(doc.data, dict):
        return None
    return str(doc.data.get("slug") or default_slug(folder, str(doc.data.get("name") or "")))


def sharing_slug(folder: Path, slug: str) -> list[Path]:
    """Other publications beside `folder` whose slug is also `slug` (they would share one send
    log, one list and one web address)."""
    here = Path(folder).resolve()
    near = dict.fromkeys(p.resolve() for p in publication_folders(here.parent))
    return [other for other in near if other != here and slug_of(other) == slug]


def issue_folders(publication_folder: Path) -> list[Path]:
    """The publication's issues, oldest name first."""
    return sorted(p.parent for p in Path(publication_folder).glob("*/issue.yaml"))


def find_issue(name: str, root: Path = ROOT) -> list[Path]:
    """Issue folders called `name` (or `publication/name`) in any publication."""
    if "/" in name:
        folder = root / name
        return [folder] if (folder / "issue.yaml").is_file() else []
    return [folder / name for folder in publication_folders(root) if (folder / name / "issue.yaml").is_file()]


def issue_key(publication_slug: str, issue_slug: str) -> str:
    """An issue's identity in the send log, tokens, reports: "<publication>/<issue>"."""
    return f"{publication_slug}/{issue_slug}"


def split_key(key: str, default_publication: str) -> tuple[str, str]:
    """(publication, issue) of a key; a bare issue name (a link sent before publications) belongs
    to `default_publication`."""
    publication, _, issue = key.rpartition("/")
    return (publication or default_publication), issue
