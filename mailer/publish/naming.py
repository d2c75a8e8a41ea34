"""Addresses of the web side: /<publication>/<issue>/<tag>.html, and languages by their own names."""
from __future__ import annotations

from babel import Locale

from blocks.content_tree import RESERVED, slugify
from common.errors import ConfigError



def publication_slug(publication) -> str:
    """`slug:` from publication.yaml, else its folder's name (set by the loader; see blocks/content_tree.py)."""
    slug = publication.get("slug") or slugify(publication.name)
    if slug in RESERVED:
        raise ConfigError("slug", f"'{slug}' is an address the preference center uses itself",
                          "set another slug: in the publication's publication.yaml, e.g. slug: equity",
                          outcome="nothing was published")
    return slug


def web_base(publication, base_url: str) -> str:
    """Where the publication's issues are: `web_base_url`, else the preference center's own
    NEWSLETTER_BASE_URL/<slug> (which serves them)."""
    return (publication.get("web_base_url") or f"{base_url.rstrip('/')}/{publication_slug(publication)}").rstrip("/")


def served_by_the_app(publication) -> bool:
    return not publication.get("web_base_url")


def tag(lang: str) -> str:
    """A language code as a web address and `lang` attribute write it: zh_Hans -> zh-Hans."""
    return lang.replace("_", "-")


def from_tag(name: str) -> str:
    return name.replace("-", "_")


def own_name(lang: str) -> str:
    """The language's name in itself, as a reader looks for it: Español, العربية, Tiếng Việt."""
    name = Locale.parse(lang).get_display_name(lang) or lang
    return name[:1].upper() + name[1:]
