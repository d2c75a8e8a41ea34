"""Machine translation as drafts: providers (one module each), what they are sent, the run.

    base.py       the Provider interface (offered, translate) and what its errors mean
    deepl.py      DeepL through its official client (DEEPL_AUTH_KEY, DEEPL_SERVER_URL)
    markup.py     Markdown <-> the XML a provider is sent; links, placeholders and names kept
    glossary.py   newsletters/glossary.yaml: names kept, or translated as staff decided
    run.py        plan (what to send, characters billed) and run (translate, check, store)
"""
from __future__ import annotations

from blocks.i18n.machine.base import Provider

PROVIDERS = ("deepl",)


def get_provider(name: str, **options) -> Provider:
    """The provider called `name`, configured from the environment."""
    if name == "deepl":
        from blocks.i18n.machine.deepl import DeepL
        return DeepL.from_env(**options)
    raise ValueError(f"unknown provider {name!r}")
