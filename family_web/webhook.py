"""SendGrid's signed event webhook: the key, checked at start-up; the headers, the timestamp and
the ECDSA signature, checked before the body is trusted (and the headers before it is even read).

    key = load_public_key(settings.webhook_public_key)                  # ConfigError if unusable
    stamp = check_headers(request.headers, key, now)                     # WebhookRefused -> 403
    events = verify_body(body, stamp, key)                               # WebhookRefused / NotEvents
"""
from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import load_der_public_key

from common.errors import ConfigError

SETTING = "SENDGRID_WEBHOOK_PUBLIC_KEY"
SIGNATURE = "X-Twilio-Email-Event-Webhook-Signature"
TIMESTAMP = "X-Twilio-Email-Event-Webhook-Timestamp"
MAX_AGE = 600          # seconds; older (or replayed later) deliveries are refused
_TIMESTAMP = re.compile(r"[0-9]{1,12}")                       # ASCII digits only: no '²', no 4,300 digits
_SIGNATURE = re.compile(r"[A-Za-z0-9+/]{16,400}={0,2}")
_KEY_HINT = ("copy the verification key from SendGrid (Settings > Mail Settings > Signed Event Webhook): "
             "the base64 text of an ECDSA P-256 public key")


class WebhookRefused(Exception):
    """Not signed by SendGrid with our key, or too old: answered 403."""


class NotEvents(Exception):
    """Signed, but not a JSON list: answered 400 (nothing in it can be recorded)."""


@dataclass(frozen=True)
class Stamp:
    signature: bytes
    timestamp: str


def load_public_key(text: str) -> ec.EllipticCurvePublicKey | None:
    """The verification key from its setting (base64, PEM armour allowed); None when not set.

    Anything else than an ECDSA P-256 public key is a ConfigError naming the setting, so a
    wrong key stops the server at start-up instead of refusing every event.
    """
    body = re.sub(r"-----(BEGIN|END) PUBLIC KEY-----|\s", "", text or "")
    if not body:
        return None
    try:
        key = load_der_public_key(base64.b64decode(body, validate=True))
    except (ValueError, binascii.Error, UnsupportedAlgorithm):
        raise ConfigError(SETTING, "is not a public key", _KEY_HINT, outcome="the server did not start") from None
    if not isinstance(key, ec.EllipticCurvePublicKey):
        kind = "an RSA key" if isinstance(key, rsa.RSAPublicKey) else "another kind of key"
        raise ConfigError(SETTING, f"is {kind}, not the ECDSA key SendGrid signs events with", _KEY_HINT,
                          outcome="the server did not start")
    if not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError(SETTING, f"is an ECDSA key on {key.curve.name}, not P-256", _KEY_HINT,
                          outcome="the server did not start")
    return key


def check_headers(headers, key: ec.EllipticCurvePublicKey | None, now: float) -> Stamp:
    """The signature and timestamp headers, strictly parsed and fresh; WebhookRefused otherwise."""
    if key is None:
        raise WebhookRefused(f"webhook verification key not configured ({SETTING})")
    signature, timestamp = headers.get(SIGNATURE, ""), headers.get(TIMESTAMP, "")
    if not _SIGNATURE.fullmatch(signature) or not _TIMESTAMP.fullmatch(timestamp):
        raise WebhookRefused("missing or malformed signature headers")
    if abs(now - int(timestamp)) > MAX_AGE:
        raise WebhookRefused("stale timestamp")
    try:
        return Stamp(base64.b64decode(signature, validate=True), timestamp)
    except binascii.Error:
        raise WebhookRefused("malformed signature") from None


def verify_body(body: bytes, stamp: Stamp, key: ec.EllipticCurvePublicKey) -> list:
    """The events of a correctly signed body (a list; each item is checked later, one by one)."""
    try:
        key.verify(stamp.signature, stamp.timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise WebhookRefused("bad signature") from None
    try:
        events = json.loads(body)
    except (ValueError, RecursionError):
        raise NotEvents("not JSON") from None
    if not isinstance(events, list):
        raise NotEvents("not a list of events")
    return events
