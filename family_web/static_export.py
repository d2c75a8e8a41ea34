"""`publish ISSUE --to DIR`: a sent issue's web side as files, for a publication whose
`web_base_url` is a static host. The files are the very pages the preference center serves
(rendered by the same routes, family_web/edition_pages.py), so a static copy and the app agree.

    DIR/<issue>/index.html, <tag>.html, *.ics     the issue (index.html in the original's language,
                                                  index.<tag>.html in each other edition's)
    DIR/index.html, index.<tag>.html               the archive (this issue included): index.html in the
                                                  publication's first language, one file per other
    DIR/feed.atom, foodshare-<tag>.ics             its feed, the Foodshare calendar per language

A static host serves one file whatever the query, so each language of a page is a file of its
own; the pages link each other by these names (the app answers them too, family_web/edition_pages.py).

Each file is written to a temporary name and renamed (the issue's folder as a whole), so a
reader never gets half a file and a failed export leaves the previous one as it was. Files and
folders get the modes the process's umask gives (0644 and 0755 usually), so that a web server
running as another user can read them; links left in DIR are replaced, never followed.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from flask import Flask

from blocks.i18n.localize import localize_publication
from common.errors import NewsletterError
from common.yaml_source import display_path
from mailer.publish import published_editions as stored
from family_web.feeds import FOODSHARE
from mailer.publish.naming import publication_slug, tag

from family_web import edition_pages as editions
from family_web.pages import Center, set_up_templates


def export(store, publication, newsletters_dir: Path, issue: str, out_dir: Path, library: Path | None = None) -> list[str]:
    """Write the files; returns their names relative to `out_dir` (the pages' strings with the
    district's reviewed ones of `library`)."""
    slug = publication_slug(publication)
    found = stored.editions(store, slug, issue)
    if not found:
        raise NewsletterError(f"{issue} has not been published: nothing of it was sent yet",
                              f"send it first (python compose.py send {display_path(newsletters_dir / issue)} --to ...): a send "
                              "publishes its editions before the first family gets one")
    client = _app(store, publication, newsletters_dir, issue, library).test_client()
    names = [*(editions.page_file(e.lang, found[0].lang) for e in found), *(f"{e.tag}.html" for e in found),
             *(f.name for f in stored.files(store, slug, issue))]
    issue_files = {name: _get(client, f"/{slug}/{issue}/{name}") for name in names}
    top = {name: _get(client, f"/{slug}/{name}") for name in
           [*(editions.page_file(code, publication.languages[0]) for code in publication.languages), "feed.atom"]}
    if stored.files(store, slug, block_type=FOODSHARE):
        for code in publication.languages:
            top[f"foodshare-{tag(code)}.ics"] = _get(client, f"/{slug}/foodshare-{tag(code)}.ics")
    if out_dir.is_symlink() and not out_dir.exists():
        raise NewsletterError(f"{display_path(out_dir)} is a link to {os.readlink(out_dir)}, which does not exist",
                              "create the folder it points to, or remove the link and publish again")
    out_dir.mkdir(parents=True, exist_ok=True)
    _replace_folder(out_dir / issue, issue_files)
    for name, content in top.items():
        _replace_file(out_dir / name, content)
    return [f"{issue}/{name}" for name in issue_files] + list(top)


def _umask() -> int:
    """The process's umask (read by setting it back at once: os has no getter before 3.13's)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _remove(path: Path) -> None:
    """Remove what is at `path`: a link itself (never what it points to), a file or a folder."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


def _app(store, publication, newsletters_dir: Path, issue: str, library: Path | None) -> Flask:
    """The web edition routes alone (no secret, no webhook), the archive listing `issue`."""
    app = Flask("family_web.static_export")
    app.root_path = str(Path(__file__).parent)
    set_up_templates(app)
    app.context_processor(lambda: {"demo": False})
    localized = {code: localize_publication(publication, newsletters_dir, code) for code in publication.languages}
    editions.register(app, Center(store, None, publication, None, False, localized, library=library),
                      also_listed=(issue,))
    return app


def _get(client, path: str) -> bytes:
    response = client.get(path)
    if response.status_code != 200:            # a bug: every path comes from the store
        raise RuntimeError(f"{path} answered {response.status_code}")
    return response.get_data()


def _replace_folder(folder: Path, files: dict[str, bytes]) -> None:
    """Files and folder with the modes `cp` would give them (0644 and 0755 under the usual umask),
    so that a web server running as another user reads them; a link in the folder's place is
    replaced by the folder (what it pointed to is left alone)."""
    mask = _umask()
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        staging.chmod(0o777 & ~mask)                  # mkdtemp makes it 0700
        for name, content in files.items():
            if "/" in name:                           # a picture: images/<name>
                (staging / name).parent.mkdir(exist_ok=True)
                (staging / name).parent.chmod(0o777 & ~mask)
            (staging / name).write_bytes(content)     # open()'s 0666 less the umask
        old = folder.with_name(f".{folder.name}-old")
        _remove(old)                                  # left by a publish that stopped half-way
        if folder.is_symlink() or folder.exists():
            folder.rename(old)
        staging.rename(folder)
        _remove(old)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _replace_file(path: Path, content: bytes) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask())          # mkstemp makes it 0600
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)                   # a link in its place is replaced, not followed
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
