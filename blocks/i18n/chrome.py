"""Chrome strings (footer, "Add to calendar", labels) from gettext catalogs, via Babel.

Two layers, as Django's project locale over its apps' catalogs:
- the product's catalogs, blocks/i18n/chrome/<lang>.po, shipped with the code (updated with
  the templates: README, "Chrome strings");
- the district's reviewed strings, <library>/chrome/<lang>.po in the content tree beside the
  library of standing blocks (newsletters/library/chrome/), which the studio writes when a
  translator approves or drafts a string. Only the strings people touched are there; an approved
  one is used over the product's, a draft is not used (the product's string shows until it is
  approved). Content, never inside a Python package: an update of the code keeps them.

Catalogs are compiled in memory when first used and again when a file changes (a string
approved in the studio), so there is no build step, no binary .mo file to forget and no
restart: a worker or a preference center that runs for weeks uses it at its next email or page.
"""
from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent / "chrome"
REVIEWED = "chrome"          # <library>/chrome/: the district's reviewed strings


def reviewed_folder(library: Path | str | None) -> Path | None:
    """Where the district's reviewed chrome strings are, for the library of standing blocks `library`."""
    return Path(library) / REVIEWED if library else None


def catalog_path(lang: str, folder: Path | None = None) -> Path | None:
    """The catalog of `lang` (or of its base language: zh for zh_Hans) in `folder` (default: the
    product's), or None."""
    folder = CATALOGS if folder is None else folder
    for candidate in (lang, lang.split("_")[0]):
        path = folder / f"{candidate}.po"
        if path.exists():
            return path
    return None


def available() -> list[str]:
    return sorted(p.stem for p in CATALOGS.glob("*.po"))


def translations(lang: str, library: Path | str | None = None) -> gettext.NullTranslations:
    """Translations for `lang`: the district's approved strings (`library`'s chrome/ folder), then
    the product's; English (the msgids) where neither has one.

    Fuzzy entries (drafts) are left out, like gettext's own compiler does. The same object while
    the files are unchanged; a changed file is read again at the next call, in every process.
    """
    shipped = _state(catalog_path(lang))
    folder = reviewed_folder(library)
    reviewed = _state(catalog_path(lang, folder)) if folder is not None else None
    if shipped is None and reviewed is None:
        return _NONE
    return _layered(lang, shipped, reviewed)


_NONE = gettext.NullTranslations()


def _state(path: Path | None) -> tuple | None:
    if path is None:
        return None
    try:
        found = path.stat()
    except OSError:                     # removed since it was found
        return None
    return path, found.st_mtime_ns, found.st_size


@lru_cache(maxsize=64)
def _layered(lang: str, shipped: tuple | None, reviewed: tuple | None) -> gettext.NullTranslations:
    if reviewed is None:
        return _compiled(lang, shipped)
    top = _compile(lang, reviewed[0])               # its own object: the fallback is set on it
    if shipped is not None:
        top.add_fallback(_compiled(lang, shipped))
    return top


@lru_cache(maxsize=64)
def _compiled(lang: str, state: tuple) -> gettext.GNUTranslations:
    return _compile(lang, state[0])


def _compile(lang: str, path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang.split("_")[0])
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def forget() -> None:
    """Read every catalog again at its next use, changed or not (a file edited twice within the
    file system's timestamp resolution, keeping its size)."""
    _layered.cache_clear()
    _compiled.cache_clear()


def greeting(lang: str, name: str | None, library: Path | str | None = None) -> str:
    """The opening line of an intro block for one family: their name, or a neutral greeting."""
    catalog = translations(lang, library)
    if name:
        return catalog.gettext("Dear %(name)s,") % {"name": name}
    return catalog.gettext("Dear family,")
