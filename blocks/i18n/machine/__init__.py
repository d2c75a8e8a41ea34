"""Machine translation as drafts: providers (one module each), what they are sent, the run.

    base.py       the Provider interface (offered, translate, billable) and what its errors mean
    deepl.py      DeepL through its official client (DEEPL_AUTH_KEY, DEEPL_SERVER_URL)
    google.py     Google Cloud Translation Basic, v2 REST (GOOGLE_TRANSLATE_API_KEY, GOOGLE_TRANSLATE_ENDPOINT)
    order.py      machine_providers in publication.yaml: each language to the first provider offering it
    markup.py     Markdown <-> the XML a provider is sent; links, placeholders and names kept
    html.py       that XML <-> HTML, for providers that take HTML (Google)
    glossary.py   newsletters/<publication>/glossary.yaml: names kept, or translated as staff decided
    run.py        plan (what to send, to whom, characters billed) and run (translate, check, store)
    report.py     what `translations machine` prints
"""
from __future__ import annotations

from blocks.i18n.machine.provider import Provider
from common.settings import Settings

PROVIDERS = ("deepl", "google")


def get_provider(name: str, settings: Settings | None = None, **options) -> Provider:
    """The provider called `name`, configured from `settings` (its key and server)."""
    if name == "deepl":
        from blocks.i18n.machine.deepl import DeepL
        return DeepL.from_settings(settings or Settings(), **options)
    if name == "google":
        from blocks.i18n.machine.google import GoogleTranslate
        return GoogleTranslate.from_settings(settings or Settings(), **options)
    raise ValueError(f"unknown provider {name!r}")
