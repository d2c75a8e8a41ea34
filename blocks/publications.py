"""Where publications and their issues are: newsletters/<publication>/publication.yaml beside
newsletters/<publication>/<issue>/issue.yaml (one folder per office writing to families).

A publication's identity is its slug: `slug:` in publication.yaml, else its folder's name. The
single-publication layout of earlier versions (newsletters/publication.yaml beside the issues)
still loads; its slug is `slug:` or the name in lowercase with dashes.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

FILE_NAME = "publication.yaml"
ROOT = Path("newsletters")
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
    """Every folder holding a publication.yaml: newsletters/*/ and, in the old layout, newsletters/."""
    root = Path(root)
    found = sorted(p.parent for p in root.glob(f"*/{FILE_NAME}"))
    return ([root] if (root / FILE_NAME).is_file() else []) + found


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
