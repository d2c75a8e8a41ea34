"""A SendGrid request cut off by a crash leaves its families in doubt; SendGrid's events settle them."""
from __future__ import annotations

import time

from mailer.backends.backend import SendResult
from mailer.backends.sendgrid import SendGridBackend
from mailer.send import sendlog
from mailer.store.delivery_events import apply, from_sendgrid
from mailer.store.tables import send_log
from tests.mailer.http_stub import Stub
from tests.mailer.test_send import families, issue, sender  # noqa: F401 (fixtures)


def leave_in_doubt(store, slug, addresses):
    """What a worker killed during its request leaves: claims marked in doubt on the rerun."""
    with store.write() as connection:
        rows = [{"subscriber_id": store.get(a).id, "email": a, "language": "en", "segment": "all-families",
                 "backend": "sendgrid", "message_id": f"<{a}>"} for a in addresses]
        claimed = sendlog.claim(connection, slug, rows, "dead-host:1:x", sendlog.PENDING, {})
        sendlog.record(connection, slug, [SendResult(i, sendlog.IN_DOUBT) for i in claimed])


def statuses(store, slug):
    with store.read() as connection:
        return {r.email: r.status for r in connection.execute(send_log.select().where(send_log.c.issue == slug))}


def test_events_settle_families_in_doubt_and_the_next_send_leaves_them_alone(issue, families):  # noqa: F811
    leave_in_doubt(families, issue.key, ["ana@example.org", "joe@example.org", "rui@example.org"])
    ana, joe = families.get("ana@example.org").id, families.get("joe@example.org").id
    now = int(time.time())
    applied = apply(families, [from_sendgrid(e) for e in (
        {"sg_event_id": "p1", "event": "processed", "email": "ana@example.org", "issue": issue.key,
         "subscriber": str(ana), "timestamp": now},
        {"sg_event_id": "d1", "event": "dropped", "email": "joe@example.org", "issue": issue.key,
         "subscriber": str(joe), "reason": "Bounced Address", "timestamp": now})])
    assert applied.new == 2
    assert statuses(families, issue.key) == {"ana@example.org": "queued", "joe@example.org": "rejected",
                                              "rui@example.org": "in_doubt"}
    with Stub([(202, {"X-Message-Id": "x"}, None)]) as stub:
        report = sender(issue, families, SendGridBackend("SG.x", host=stub.url)).run(None)
    sent = {p["to"][0]["email"] for r in stub.requests for p in r["json"]["personalizations"]}
    assert sent == {"omar@example.org", "sana@example.org"}           # nobody settled or in doubt again
    assert report.skipped["in_doubt"] == 1 and report.skipped["queued"] == 1
