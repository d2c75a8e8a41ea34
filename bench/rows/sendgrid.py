"""Row 5: SendGrid: requests per recipients, and what building one request costs.

Against a local mock of /v3/mail/send (bench/servers.py http: 202 + X-Message-Id, counts
requests), in its own process on 127.0.0.1:
- synthetic: N Outgoing messages of one language through SendGridBackend.send must make
  exactly ceil(N / 1000) requests;
- building the body of one 1,000-recipient request (SendGridBackend.payload) vs json.dumps
  of that same body (the floor: the client serializes it anyway);
- end to end: Sender from a store of families in 5 languages against the mock.
"""
from __future__ import annotations

import dataclasses
import math
import time

from bench_common import Row, duration, load_issue, per_call, personalizer, sender, side_by_side
from servers import LocalServer
from rows.per_recipient import recipients, template


def backend(port: int):
    from mailer.backends.sendgrid import SendGridBackend
    return SendGridBackend("SG.bench-key", host=f"http://127.0.0.1:{port}", retries=0)


def synthetic_messages(issue, count: int):
    """`count` English messages: 1,000 really signed envelopes, reused with other addresses."""
    from mailer.backends.backend import Outgoing
    template_ = template(issue)
    p = personalizer(issue)
    signed = [p.envelope(r, "en", p.message_id(r.id)) for r in recipients(1000)]
    messages = []
    for i in range(count):
        envelope = dataclasses.replace(signed[i % 1000], to_email=f"family{i}@example.org",
                                       message_id=p.message_id(i + 1))
        messages.append(Outgoing(i + 1, envelope.to_email, template_, envelope,
                                 {"issue": issue.key, "lang": "en", "segment": "all-families",
                                  "subscriber": str(i + 1)}))
    return messages


def synthetic_send(server: LocalServer, messages) -> tuple[int, int, float]:
    """(requests the backend made, requests the mock received, seconds) for one send."""
    sg = backend(server.port)
    before = server.received()
    start = time.perf_counter()
    with sg:
        results = list(sg.send(messages))
    elapsed = time.perf_counter() - start
    if len(results) != len(messages) or any(r.status != "queued" for r in results):
        raise RuntimeError("SendGrid mock send did not queue every message")
    return sg.requests_made, server.received() - before, elapsed


def end_to_end(issue, store, server: LocalServer) -> tuple[int, int, float]:
    """(messages queued, requests, seconds) for a Sender run from the store."""
    sg = backend(server.port)
    before = server.received()
    start = time.perf_counter()
    report = sender(issue, store, sg).run(None)
    return report.results.get("queued", 0), server.received() - before, time.perf_counter() - start


def run(ctx) -> Row:
    from mailer.store.subscribers import Store
    count = 10_000 if ctx.quick else 100_000
    row = Row(5, "SendGrid: build one 1,000-recipient request (payload) vs json.dumps of it", "<= 3x")
    issue = load_issue()
    messages = synthetic_messages(issue, count)
    sg = backend(1)
    chunk = messages[:1000]
    times, repeats = (3, 5) if ctx.quick else (5, 9)
    body = sg.build_payload(chunk)
    import json
    mine, floor = side_by_side(lambda: per_call(lambda: sg.build_payload(chunk), times),
                               lambda: per_call(lambda: json.dumps(body), times), repeats)
    row.ours, row.reference = f"{duration(mine)}/1,000", f"{duration(floor)}/1,000"
    row.judge(mine / floor, at_most=3)
    with LocalServer("http") as server:
        made, received, elapsed = synthetic_send(server, messages)
        e2e_families = 1_000 if ctx.quick else 100_000
        url = ctx.stores.copy(e2e_families, ctx.workdir / "row5" / "store.db")
        with Store.open(url) as store:
            queued, e2e_requests, e2e_seconds = end_to_end(issue, store, server)
    expected = math.ceil(count / 1000)
    if made != expected or received != expected:
        row.passed = False
    row.notes.append(f"{count:,} synthetic recipients (one language) -> {received:,} requests at the mock "
                     f"(expected exactly {expected:,}): {'OK' if received == expected == made else 'WRONG'}; "
                     f"{duration(elapsed / count)}/recipient, {count / elapsed:,.0f} recipients/s")
    row.notes.append(f"end to end from the store ({e2e_families:,} families, 5 languages, Sender): {queued:,} queued "
                     f"in {e2e_requests:,} requests, {duration(e2e_seconds / e2e_families)}/recipient "
                     f"({e2e_families / e2e_seconds:,.0f}/s)")
    row.data = {"payload_s_per_1000": mine, "json_dumps_s_per_1000": floor, "synthetic_recipients": count,
                "synthetic_requests": received, "expected_requests": expected, "synthetic_s": elapsed,
                "e2e_families": e2e_families, "e2e_queued": queued, "e2e_requests": e2e_requests,
                "e2e_s": e2e_seconds, "body_bytes": len(json.dumps(body))}
    return row
