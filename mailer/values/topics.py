"""The topics families can choose: the one list every part of the mailer uses."""
from __future__ import annotations

TOPICS: tuple[str, ...] = (
    "events",
    "foodshare",
    "mental-health",
    "nutrition",
    "announcements",
    "resources",
)
"""Every topic, in display order. Imported families get all of them until they choose."""

TOPIC_DESCRIPTIONS: dict[str, str] = {
    "events": "Events, workshops and family nights",
    "foodshare": "Foodshare distributions",
    "mental-health": "Mental health resources",
    "nutrition": "School meals and nutrition",
    "announcements": "District announcements",
    "resources": "Community resources and partners",
}


def is_topic(value: str) -> bool:
    return value in TOPICS
