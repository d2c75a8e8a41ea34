"""SendGrid's signed event webhook: only correctly signed, fresh events change anything."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.preferences.conftest import SIGNER

NOW = 1_700_000_000


@pytest.fixture(scope="module")
def keys():
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(public).decode()


@pytest.fixture
def hook(families, keys):
    from blocks.loader import load_publication
    from mailer.audiences.loader import load_audiences
    from preferences.app import create_app
    from tests.conftest import ROOT
    from tests.preferences.conftest import AUDIENCES
    app = create_app(store=families, signer=SIGNER, webhook_key=keys[1], clock=lambda: NOW,
                     publication=load_publication(ROOT / "newsletters" / "publication.yaml"),
                     newsletters_dir=ROOT / "newsletters",
                     audiences=load_audiences(AUDIENCES))
    return app.test_client()


def signed(keys, events, timestamp=NOW) -> tuple[bytes, dict]:
    body = json.dumps(events).encode()
    signature = keys[0].sign(str(timestamp).encode() + body, ec.ECDSA(hashes.SHA256()))
    return body, {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
                  "X-Twilio-Email-Event-Webhook-Timestamp": str(timestamp), "Content-Type": "application/json"}


def event(kind, email, event_id, **extra):
    return {"email": email, "event": kind, "sg_event_id": event_id, "timestamp": NOW, "issue": "2021-09-sept-oct",
            "lang": "es", "segment": "all-families", **extra}


def test_signed_bounce_marks_the_address_bounced(hook, families, keys):
    body, headers = signed(keys, [event("bounce", "ana@example.org", "ev-1", type="bounce",
                                        reason="550 5.1.1 no such user")])
    response = hook.post("/webhooks/sendgrid", data=body, headers=headers)
    assert response.status_code == 200 and response.json == {"received": 1, "new": 1}
    ana = families.get("ana@example.org", history=True)
    assert ana.status == "bounced" and ana.history[-1].changed_by == "webhook:sendgrid"


def test_one_byte_changed_is_refused_and_nothing_stored(hook, families, keys):
    body, headers = signed(keys, [event("bounce", "ana@example.org", "ev-2", type="bounce", reason="x")])
    tampered = body.replace(b"ana@", b"anb@")
    assert hook.post("/webhooks/sendgrid", data=tampered, headers=headers).status_code == 403
    assert families.get("ana@example.org").status == "subscribed"


def test_stale_or_unsigned_deliveries_are_refused(hook, keys, families):
    body, headers = signed(keys, [event("spamreport", "joe@example.org", "ev-3")], timestamp=NOW - 3600)
    assert hook.post("/webhooks/sendgrid", data=body, headers=headers).status_code == 403
    assert hook.post("/webhooks/sendgrid", data=body, headers={"Content-Type": "application/json"}).status_code == 403
    assert families.get("joe@example.org").status == "subscribed"


def test_replayed_events_are_stored_once(hook, keys, families):
    body, headers = signed(keys, [event("open", "joe@example.org", "ev-4"), event("open", "joe@example.org", "ev-4")])
    assert hook.post("/webhooks/sendgrid", data=body, headers=headers).json == {"received": 2, "new": 1}
    assert hook.post("/webhooks/sendgrid", data=body, headers=headers).json == {"received": 2, "new": 0}


@pytest.mark.parametrize("raw, status", [
    (event("spamreport", "omar@example.org", "e1"), "complained"),
    (event("unsubscribe", "omar@example.org", "e2"), "unsubscribed"),
    (event("group_unsubscribe", "omar@example.org", "e3"), "unsubscribed"),
    (event("dropped", "omar@example.org", "e4", reason="Bounced Address"), "bounced"),
    (event("bounce", "omar@example.org", "e5", type="blocked", reason="421 try later"), "subscribed"),
    (event("delivered", "omar@example.org", "e6"), "subscribed"),
    (event("click", "omar@example.org", "e7", url="https://www.whps.org"), "subscribed"),
])
def test_event_types_map_to_statuses(hook, keys, families, raw, status):
    body, headers = signed(keys, [raw])
    assert hook.post("/webhooks/sendgrid", data=body, headers=headers).status_code == 200
    assert families.get("omar@example.org").status == status


def test_report_counts_reach_per_language_and_school(hook, keys, families, tmp_path):
    from blocks.loader import load_issue
    from mailer.backends.outbox import OutboxBackend
    from mailer.reports.reach import reach
    from tests.conftest import SAMPLE
    from tests.mailer.test_send import sender
    issue = load_issue(SAMPLE)
    sender(issue, families, OutboxBackend(tmp_path, issue.slug)).run(None)
    ana = families.get("ana@example.org").id
    body, headers = signed(keys, [event("delivered", "ana@example.org", "r1", subscriber=ana),
                                  event("open", "ana@example.org", "r2", subscriber=ana),
                                  event("click", "ana@example.org", "r3", subscriber=ana, url="https://x.org")])
    hook.post("/webhooks/sendgrid", data=body, headers=headers)
    languages, schools = reach(families, issue.slug)
    assert languages["es"] == {"sent": 1, "delivered": 1, "bounced": 0, "opened": 1, "clicked": 1,
                               "unsubscribed": 0, "rejected": 0, "invalid": 0, "failed": 0, "in_doubt": 0,
                               "pending": 0}
    assert languages["en"]["sent"] == 1 and schools["aiken"]["clicked"] == 1
