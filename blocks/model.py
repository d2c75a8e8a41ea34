"""The validated, immutable issue: what the loader produces and the renderer reads."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from blocks.i18n.policy import MachinePolicy
from blocks.content_tree import issue_key
from blocks.record import Record


@dataclass(frozen=True)
class Block:
    type: str          # as written in the issue, e.g. "announcement"
    template: str      # the block module's name, e.g. "callout": picks the templates
    id: str            # stable name, used for anchors, calendar files and translations
    fields: Record     # validated values, read by templates as block.<field>
    source: str        # file the block came from (an issue or a library file)
    key: str           # key path in that file, e.g. "blocks[3]"
    line: int | None = None       # where the block starts in `source`
    library: str | None = None    # name of the library block it was included from
    lang: str | None = None       # set when shown in another language than the email (fallback)
    machine: bool = False         # shown in a machine translation nobody has reviewed yet


@dataclass(frozen=True)
class Issue:
    slug: str          # the folder name, e.g. 2021-09-sept-oct
    path: Path
    title: str
    period: str
    subject: str
    preheader: str
    languages: tuple[str, ...]
    blocks: tuple[Block, ...]
    publication: Record
    fallback: str = "english"     # families whose language is missing or incomplete: "english" or "hold"
    source_lang: str = "en"
    machine: MachinePolicy = MachinePolicy()      # send or hold machine translations, per language
    added_languages: tuple[str, ...] = ()         # in `languages` because the issue has translations in
                                                  # them (e.g. machine), though issue.yaml does not list them
    machine_text: bool = False    # this (localized) edition shows machine translations
    english_parts: tuple[str, ...] = ()   # issue and publication texts this edition still shows in English
    library: Path | None = None   # the library its included blocks came from (their translations: library/i18n/);
                                  # None: publications.library_folder(path), the newsletters folder's library/

    @property
    def key(self) -> str:
        """Its identity in the send log, links, reports and folders: "<publication>/<issue>"."""
        return issue_key(self.publication.slug, self.slug)
