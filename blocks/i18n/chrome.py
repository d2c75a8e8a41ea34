"""Chrome strings (footer, "Add to calendar", labels) from gettext catalogs, via Babel.

Catalogs are blocks/i18n/chrome/<lang>.po, compiled in memory when first used, so there
is no build step and no binary .mo file to forget. To refresh them after changing the
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


@lru_cache(maxsize=None)
def translations(lang: str) -> gettext.NullTranslations:
    """Translations for `lang`; English (the msgids) where there is no catalog or entry.

    Fuzzy entries are left out, like gettext's own compiler does.
    """
    path = catalog_path(lang)
    if path is None:
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang.split("_")[0])
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def greeting(lang: str, name: str | None) -> str:
    """The opening line of an intro block for one family: their name, or a neutral greeting."""
    catalog = translations(lang)
    if name:
        return catalog.gettext("Dear %(name)s,") % {"name": name}
    return catalog.gettext("Dear family,")
