"""Every block type staff can use, by the name they write in `type:`.

To add a block type: write blocks/types/<name>.py (NAME, SCHEMA, optionally prepare()
and calendar_entries()), blocks/templates/<name>.mjml.j2 and <name>.txt.j2, and add
one line here.
"""
from __future__ import annotations

from blocks.types import (callout, contact, event, feature_list, foodshare_calendar, heading, intro,
                    mental_health_resources, nutrition_update, partners, resource_list, text)

BLOCK_TYPES = {
    "intro": intro,
    "heading": heading,
    "text": text,
    "feature_list": feature_list,
    "event": event,
    "foodshare_calendar": foodshare_calendar,
    "mental_health_resources": mental_health_resources,
    "nutrition_update": nutrition_update,
    "resource_list": resource_list,
    "partners": partners,
    "callout": callout,
    "announcement": callout,
    "contact": contact,
}
