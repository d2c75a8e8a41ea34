"""Chrome strings (footer, "Add to calendar", labels) from gettext catalogs, via Babel.

Catalogs are blocks/i18n/chrome/<lang>.po, compiled in memory when first used and again when
the file changes (a string approved in the studio), so there is no build step, no binary .mo
file to forget and no restart. To refresh them after changing the
templates, see the README ("Chrome strings").
"""
from __future__ import annotations

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent / "chrome"


def catalog_path(lang: str) -> Path | None:
    for candidate in (lang, lang.split("_")[0]):
        path = CATALOGS / f"{candidate}.po"
        if path.exists():
            return path
    return None


def available() -> list[str]:
    return sorted(p.stem for p in CATALOGS.glob("*.po"))


def translations(lang: str) -> gettext.NullTranslations:
    """Translations for `lang`; English (the msgids) where there is no catalog or entry.

    Fuzzy entries are left out, like gettext's own compiler does. The same object while the
    catalog file is unchanged; a changed file (a string approved in the studio, an update) is
    read again at the next call, in every process (a worker or a preference center that runs
    for weeks uses it without a restart).
    """
    path = catalog_path(lang)
    if path is None:
        return _NONE
    found = path.stat()
    return _compiled(path, lang, found.st_mtime_ns, found.st_size)


_NONE = gettext.NullTranslations()


@lru_cache(maxsize=64)
def _compiled(path: Path, lang: str, _mtime_ns: int, _size: int) -> gettext.GNUTranslations:
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang.split("_")[0])
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def forget() -> None:
    """Read every catalog again at its next use, changed or not (tests that edit one in place
    within the file system's timestamp resolution)."""
    _compiled.cache_clear()


def greeting(lang: str, name: str | None) -> str:
    """The opening line of an intro block for one family: their name, or a neutral greeting."""
    catalog = translations(lang)
    if name:
        return catalog.gettext("Dear %(name)s,") % {"name": name}
    return catalog.gettext("Dear family,")
