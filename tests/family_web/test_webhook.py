"""SendGrid's signed event webhook: only correctly signed, fresh events change anything."""
from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.family_web.conftest import SIGNER

NOW = 1_700_000_000


@pytest.fixture(scope="module")
def keys():
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, base64.b64encode(public).decode()


@pytest.fixture
def hook(families, keys):
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    from tests.conftest import ROOT
    from tests.family_web.conftest import AUDIENCES
    app = create_app(store=families, signer=SIGNER, webhook_key=keys[1], clock=lambda: NOW,
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
    sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    ana = families.get("ana@example.org").id
    body, headers = signed(keys, [event("delivered", "ana@example.org", "r1", subscriber=ana),
                                  event("open", "ana@example.org", "r2", subscriber=ana),
                                  event("click", "ana@example.org", "r3", subscriber=ana, url="https://x.org")])
    hook.post("/webhooks/sendgrid", data=body, headers=headers)
    languages, schools = reach(families, issue.key)
    assert languages["es"] == {"sent": 1, "delivered": 1, "bounced": 0, "opened": 1, "clicked": 1,
                               "unsubscribed": 0, "rejected": 0, "invalid": 0, "failed": 0, "in_doubt": 0,
                               "pending": 0}
    assert languages["en"]["sent"] == 1 and schools["aiken"]["clicked"] == 1


def post(hook, keys, events, **headers):
    body, signed_headers = signed(keys, events)
    return hook.post("/webhooks/sendgrid", data=body, headers={**signed_headers, **headers})


def skipped_rows(store) -> list[str]:
    from sqlalchemy import select
    from mailer.store.delivery_events import SKIPPED, delivery_events
    with store.read() as connection:
        return list(connection.execute(select(delivery_events.c.detail)
                                       .where(delivery_events.c.event == SKIPPED)).scalars())


def test_a_malformed_event_never_fails_the_batch_and_the_retry_changes_nothing(hook, keys, families):
    batch = [event("bounce", "ana@example.org", "b-1", type="bounce", reason="550 no such user"),
             event("bounce", "not-an-email", "b-2", type="bounce", reason="550"),
             event("bounce", "joe@example.org", "b-3", type="bounce", reason="550 no such user")]
    first = post(hook, keys, batch)
    assert first.status_code == 200 and first.json == {"received": 3, "new": 3, "skipped": 1}
    assert families.get("ana@example.org").status == families.get("joe@example.org").status == "bounced"
    assert skipped_rows(families) == ["no valid email address: bounce bounce: 550"]
    histories = {e: len(families.get(e, history=True).history) for e in ("ana@example.org", "joe@example.org")}
    again = post(hook, keys, batch)
    assert again.status_code == 200 and again.json == {"received": 3, "new": 0}
    assert {e: len(families.get(e, history=True).history) for e in histories} == histories
    assert len(skipped_rows(families)) == 1


def test_a_retry_finishes_a_batch_that_failed_half_way(hook, keys, families, monkeypatch):
    from mailer.store import delivery_events as events
    batch = [event("bounce", "ana@example.org", "h-1", type="bounce", reason="550"),
             event("spamreport", "omar@example.org", "h-2"),
             event("bounce", "joe@example.org", "h-3", type="bounce", reason="550")]
    real, calls = events._apply_one, []

    def database_goes_away(store, one):
        calls.append(one.event_id)
        if one.event_id == "h-2":
            raise ConnectionError("the database went away")
        return real(store, one)

    monkeypatch.setattr(events, "_apply_one", database_goes_away)
    assert post(hook, keys, batch).status_code == 500          # SendGrid will retry the whole batch
    assert families.get("ana@example.org").status == "bounced"
    assert families.get("omar@example.org").status == families.get("joe@example.org").status == "subscribed"
    monkeypatch.setattr(events, "_apply_one", real)
    assert post(hook, keys, batch).json == {"received": 3, "new": 2}
    assert families.get("omar@example.org").status == "complained"
    assert families.get("joe@example.org").status == "bounced"


def test_our_subscriber_reference_is_checked_before_use(hook, keys, families):
    ana, omar = families.get("ana@example.org"), families.get("omar@example.org")
    response = post(hook, keys, [
        event("bounce", "joe@example.org", "r-1", type="bounce", reason="550", subscriber=str(ana.id)),  # not Ana's
        event("spamreport", "omar@example.org", "r-2", subscriber="99999"),        # unknown: matched by email
        event("bounce", "stranger@example.org", "r-3", type="bounce", reason="550", subscriber="99998"),
        event("open", "stranger@example.org", "r-4", subscriber=["not", "a", "number"]),
        event("delivered", "ana@example.org", "r-5", subscriber=ana.id)])
    assert response.status_code == 200 and response.json == {"received": 5, "new": 5, "skipped": 1}
    assert families.get("ana@example.org").status == "subscribed"
    assert families.get("joe@example.org").status == "bounced"
    assert families.get(omar.email).status == "complained"
    assert families.get("stranger@example.org") is None
    assert skipped_rows(families) == ["address not in the subscriber store: bounce bounce: 550"]


@pytest.mark.parametrize("raw, reason", [
    ("not an object", "not an event object"),
    ({"event": "bounce", "email": "ana@example.org"}, "no sg_event_id"),
    (event("teleport", "ana@example.org", "m-1"), "unknown event type 'teleport'"),
    (event("bounce", "ana@example.org", "m-2", timestamp="²" * 50, type="bounce", reason="550"), None),
    (event("bounce", "ana@example.org", "m-3", timestamp="9" * 4300, type="bounce", reason="550"), None),
    (event("bounce", None, "m-4"), "no valid email address"),
])
def test_malformed_events_are_recorded_as_skipped(hook, keys, families, raw, reason):
    response = post(hook, keys, [raw, event("spamreport", "joe@example.org", "m-ok")])
    assert response.status_code == 200
    assert families.get("joe@example.org").status == "complained"
    if reason is None:                                        # a bad timestamp alone: applied, dated now
        assert families.get("ana@example.org").status == "bounced" and skipped_rows(families) == []
    else:
        assert families.get("ana@example.org").status == "subscribed"
        assert skipped_rows(families)[0].startswith(reason)
    assert post(hook, keys, [raw, event("spamreport", "joe@example.org", "m-ok")]).json["new"] == 0


def test_events_only_ever_make_a_status_stronger(hook, keys, families):
    post(hook, keys, [event("spamreport", "ana@example.org", "s-1")])
    post(hook, keys, [event("bounce", "ana@example.org", "s-2", type="bounce", reason="550"),
                      event("unsubscribe", "ana@example.org", "s-3")])
    assert families.get("ana@example.org").status == "complained"
    post(hook, keys, [event("bounce", "joe@example.org", "s-4", type="bounce", reason="550"),
                      event("group_unsubscribe", "joe@example.org", "s-5"),
                      event("group_resubscribe", "joe@example.org", "s-6")])
    assert families.get("joe@example.org").status == "bounced"


@pytest.mark.parametrize("timestamp", ["²", "1" * 4300, "", " 1700000000", "1700000000.5", "-1700000000", "١٧٠٠"])
def test_malformed_timestamps_are_refused_not_crashed_on(hook, keys, families, timestamp):
    body, headers = signed(keys, [event("bounce", "ana@example.org", "t-1", type="bounce", reason="550")])
    response = hook.post("/webhooks/sendgrid", data=body,
                         headers={**headers, "X-Twilio-Email-Event-Webhook-Timestamp": timestamp})
    assert response.status_code == 403
    assert families.get("ana@example.org").status == "subscribed"


@pytest.mark.parametrize("signature", ["", "!!!!", "a" * 5000, "é" * 40, "AAAA" * 10 + "="])
def test_malformed_signatures_are_refused(hook, keys, signature):
    body, headers = signed(keys, [event("open", "ana@example.org", "g-1")])
    response = hook.post("/webhooks/sendgrid", data=body,
                         headers={**headers, "X-Twilio-Email-Event-Webhook-Signature": signature})
    assert response.status_code == 403


def test_a_signed_body_that_is_not_a_list_is_a_bad_request(hook, keys):
    for payload in ({"event": "bounce"}, "text", None):
        body, headers = signed(keys, payload)
        assert hook.post("/webhooks/sendgrid", data=body, headers=headers).status_code == 400
    deep = b"[" * 100_000 + b"]" * 100_000
    signature = keys[0].sign(str(NOW).encode() + deep, ec.ECDSA(hashes.SHA256()))
    response = hook.post("/webhooks/sendgrid", data=deep, headers={
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": str(NOW)})
    assert response.status_code == 400


def _app_with_key(families, key: str):
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    from tests.conftest import ROOT
    from tests.family_web.conftest import AUDIENCES
    return create_app(store=families, signer=SIGNER, webhook_key=key, clock=lambda: NOW,
                      newsletters_dir=ROOT / "newsletters", audiences=load_audiences(AUDIENCES))


def test_a_pem_armoured_key_works_too(families, keys):
    pem = f"-----BEGIN PUBLIC KEY-----\n{keys[1][:40]}\n{keys[1][40:]}\n-----END PUBLIC KEY-----\n"
    client = _app_with_key(families, pem).test_client()
    body, headers = signed(keys, [event("spamreport", "ana@example.org", "p-1")])
    assert client.post("/webhooks/sendgrid", data=body, headers=headers).status_code == 200


def test_a_wrong_key_stops_the_start_naming_the_setting(families):
    from cryptography.hazmat.primitives.asymmetric import rsa
    from common.errors import ConfigError
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    p384 = ec.generate_private_key(ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    for key, says in ((base64.b64encode(rsa_key).decode(), "is an RSA key"),
                      (base64.b64encode(p384).decode(), "not P-256"),
                      ("garbage", "is not a public key"), ("R0FSQkFHRQ==", "is not a public key")):
        with pytest.raises(ConfigError) as refused:
            _app_with_key(families, key)
        assert refused.value.setting == "SENDGRID_WEBHOOK_PUBLIC_KEY" and says in str(refused.value)
        assert "Signed Event Webhook" in str(refused.value)                         # how to fix it


def test_concurrent_deliveries_of_one_batch_apply_each_event_once(hook, keys, families):
    from concurrent.futures import ThreadPoolExecutor
    batch = [event("bounce", "ana@example.org", "c-1", type="bounce", reason="550"),
             event("spamreport", "omar@example.org", "c-2"), event("bounce", "nobody", "c-3"),
             event("open", "joe@example.org", "c-4")]
    body, headers = signed(keys, batch)
    app = hook.application
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: app.test_client().post("/webhooks/sendgrid", data=body, headers=headers),
                                range(8)))
    assert [a.status_code for a in answers] == [200] * 8
    assert sum(a.json["new"] for a in answers) == 4
    for address, status in (("ana@example.org", "bounced"), ("omar@example.org", "complained")):
        history = families.get(address, history=True).history
        assert history[-1].new_status == status and [h.new_status for h in history].count(status) == 1


def test_without_a_key_the_webhook_fails_closed_and_the_start_says_so(families, keys, caplog):
    client = _app_with_key(families, "").test_client()
    assert "SENDGRID_WEBHOOK_PUBLIC_KEY is not set" in caplog.text
    body, headers = signed(keys, [event("spamreport", "ana@example.org", "k-1")])
    assert client.post("/webhooks/sendgrid", data=body, headers=headers).status_code == 403
    assert families.get("ana@example.org").status == "subscribed"
