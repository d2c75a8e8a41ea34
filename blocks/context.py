"""What a block type needs to know about the language it is being rendered in."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from babel import Locale

from blocks.model import Issue


@dataclass(frozen=True)
class RenderContext:
    issue: Issue
    lang: str
    locale: Locale
    gettext: Callable[[str], str]
    web_url: str                 # where the built issue is published (a token until send time)

    @property
    def timezone(self) -> str:
        return self.issue.publication.timezone

    @property
    def direction(self) -> str:
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    def calendar_file(self, block_id: str) -> str:
        return f"{block_id}-{self.lang.replace('_', '-')}.ics"

    def uid(self, *parts: str) -> str:
        domain = self.issue.publication.sender.email.split("@")[1]
        return "-".join((self.issue.publication.slug, self.issue.slug, *parts)) + "@" + domain
