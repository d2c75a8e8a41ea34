"""The publications of this install (newsletters/<publication>/publication.yaml), as the roster
import, opt-ins and the audiences choose them."""
from __future__ import annotations

from common.errors import NewsletterError


def all_publications() -> dict:
    """{slug: publication settings} of every publication in newsletters/ (NewsletterError listing
    every problem of a broken publication.yaml)."""
    from blocks.loader import load_publications
    return {publication.slug: publication for publication in load_publications().values()}


def named_publications(names, found: dict | None = None) -> list:
    """The publications `names` (slugs) say, of `found` (default: all_publications()); a
    NewsletterError naming every unknown one and the publications there are."""
    found = all_publications() if found is None else found
    unknown = [name for name in names if name not in found]
    if unknown:
        raise NewsletterError(f"no publication called {', '.join(unknown)} in newsletters/",
                              f"publications here: {', '.join(found) or 'none'} (the folder names in newsletters/)")
    return [found[name] for name in dict.fromkeys(names)]


def chosen_publications(names) -> list:
    """The publications `names` (slugs) say, else those with default_subscribe: true; at least one
    publication's settings, so the import knows the default language (en with none in newsletters/)."""
    from blocks.record import Record
    found = all_publications()
    if names:
        return named_publications(names, found)
    defaults = [p for p in found.values() if p.default_subscribe]
    return defaults or [Record(slug="", languages=("en",), default_subscribe=True)]
