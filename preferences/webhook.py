"""SendGrid's signed event webhook: verify the ECDSA signature and the timestamp before anything."""
from __future__ import annotations

import json

from sendgrid.helpers.eventwebhook import EventWebhook

SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_AGE = 600          # seconds; older (or replayed later) deliveries are refused


class WebhookRefused(Exception):
    """Not signed by SendGrid with our key, too old, or not an event list."""


def verify_sendgrid(body: bytes, headers, public_key: str, now: float) -> list[dict]:
    if not public_key:
        raise WebhookRefused("webhook verification key not configured (SENDGRID_WEBHOOK_PUBLIC_KEY)")
    signature, timestamp = headers.get(SIGNATURE, ""), headers.get(TIMESTAMP, "")
    if not signature or not timestamp.isdigit():
        raise WebhookRefused("missing signature headers")
    if abs(now - int(timestamp)) > MAX_AGE:
        raise WebhookRefused("stale timestamp")
    try:
        payload = body.decode("utf-8")
        verifier = EventWebhook(public_key)
        valid = verifier.verify_signature(payload, signature, timestamp)
    except (ValueError, UnicodeDecodeError) as e:
        raise WebhookRefused(f"cannot verify: {e}") from None
    if not valid:
        raise WebhookRefused("bad signature")
    try:
        events = json.loads(payload)
    except ValueError:
        raise WebhookRefused("not JSON") from None
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise WebhookRefused("not a list of events")
    return events
