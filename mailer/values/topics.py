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
