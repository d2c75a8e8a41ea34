"""The topics families can choose: the one list every part of the mailer uses."""
from __future__ import annotations

import re

TOPICS: tuple[str, ...] = (
    "events",
    "foodshare",
    "mental-health",
    "nutrition",
    "announcements",
    "resources",
)
"""Every topic, in display order. Imported families follow all of them (new ones too) until they choose."""

_SPELLINGS = {re.sub(r"[\W_]+", "", t): t for t in TOPICS} | {
    "event": "events", "foodsharing": "foodshare", "food": "foodshare", "mentalhealthresources": "mental-health",
    "mentalhealth": "mental-health", "announcement": "announcements", "news": "announcements",
    "resource": "resources", "meals": "nutrition", "schoolmeals": "nutrition",
}


def topic_code(value: str) -> str:
    """A topic as a roster may write it ("Mental Health", "Food share") -> its code; ValueError if unknown."""
    found = _SPELLINGS.get(re.sub(r"[\W_]+", "", str(value).casefold()))
    if found is None:
        raise ValueError(f"unknown topic '{value}'")
    return found


def split_topics(cell: str) -> list[str]:
    """The topics listed in one roster cell: "Events; Foodshare" -> ["Events", "Foodshare"]."""
    return [part.strip() for part in re.split(r"[;,|/\n]", cell) if part.strip()]
