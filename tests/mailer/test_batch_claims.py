"""Workers claim whole batches: N concurrent senders on one store make the requests one would,
and give each family the issue once; abandoned claims are taken over, live ones left alone."""
from __future__ import annotations

import datetime as dt
import math
import threading
from collections import Counter

from sqlalchemy import update

from mailer.backends.backend import SendResult
from mailer.backends.outbox import OutboxBackend
from mailer.backends.sendgrid import SendGridBackend
from mailer.send import sendlog
from mailer.store.subscribers import Store
from mailer.store.tables import send_log, utcnow
from tests.mailer.http_stub import Stub
from tests.mailer.test_send import families, issue, outbox_files, sender  # noqa: F401 (fixtures)

LANGUAGES = ("Spanish", "English", "Arabic")
COUNT, BATCH, WORKERS = 610, 50, 4


def slow(stub: Stub, seconds: float) -> Stub:
    """Answer each request after `seconds`, like an API round trip (so workers overlap; not asserted)."""
    handler = stub.server.RequestHandlerClass
    original = handler.do_POST

    def do_post(self):
        threading.Event().wait(seconds)
        original(self)
    handler.do_POST = do_post
    return stub


def test_four_concurrent_senders_make_the_single_worker_number_of_requests_and_reach_each_family_once(
        issue, store_url, write_roster, run):  # noqa: F811
    rows = [[f"f{i}@example.org", f"Family {i}", LANGUAGES[i % 3], "Aiken", "2"] for i in range(COUNT)]
    assert run("subscribers", "import", write_roster(rows)).exit_code == 0
    per_language = Counter(LANGUAGES[i % 3] for i in range(COUNT))          # 204, 203, 203
    expected = sorted(size for n in per_language.values() for size in [BATCH] * (n // BATCH) + [n % BATCH] * bool(
        n % BATCH))
    reports, errors, start = [], [], threading.Barrier(WORKERS)

    def worker(url):
        try:
            with Store.open(url) as store:
                backend = SendGridBackend("SG.x", host=stub.url)
                backend.batch_size = BATCH                    # requests of up to 50, as SendGrid's of 1,000
                start.wait(timeout=60)
                reports.append(sender(issue, store, backend).run(None))
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    with slow(Stub([(202, {"X-Message-Id": "x"}, None)]), 0.05) as stub:
        threads = [threading.Thread(target=worker, args=(store_url,)) for _ in range(WORKERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        assert not errors, errors
        requests = list(stub.requests)
    assert len(requests) == sum(math.ceil(n / BATCH) for n in per_language.values()) == len(expected)
    assert sorted(len(r["json"]["personalizations"]) for r in requests) == expected    # whole batches
    for request in requests:                                                           # one edition each
        assert len({p["custom_args"]["lang"] for p in request["json"]["personalizations"]}) == 1
    sent = Counter(p["to"][0]["email"] for r in requests for p in r["json"]["personalizations"])
    assert len(sent) == COUNT and set(sent.values()) == {1}
    assert sum(r.results["queued"] for r in reports) == COUNT
    assert sum(sum(r.planned.values()) for r in reports) == COUNT
    with Store.open(store_url) as store, Stub([(202, {"X-Message-Id": "y"}, None)]) as again:
        last = sender(issue, store, SendGridBackend("SG.x", host=again.url)).run(None)
        assert again.requests == [] and last.results == {} and last.skipped == {"queued": COUNT}


def test_an_expired_claim_is_taken_over_and_a_live_one_of_another_worker_is_left(issue, families, tmp_path):  # noqa
    ids = {a: families.get(a).id for a in ("ana@example.org", "omar@example.org", "joe@example.org")}
    with families.write() as connection:
        rows = [{"subscriber_id": i, "email": a, "language": "en", "segment": "all-families", "backend": "outbox",
                 "message_id": f"<{a}>"} for a, i in ids.items()]
        assert len(sendlog.claim(connection, issue.key, rows, "another-host:1:x", sendlog.PENDING, {})) == 3
        connection.execute(update(send_log).where(send_log.c.subscriber_id.in_([ids["ana@example.org"],
                                                                                  ids["joe@example.org"]]))
                           .values(lease_until=utcnow() - dt.timedelta(seconds=1)))
    report = sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    assert set(outbox_files(tmp_path / issue.key)) == {"ana@example.org", "joe@example.org", "rui@example.org",
                                                         "sana@example.org"}
    assert report.results == {"sent": 4} and report.busy == 1            # omar: another worker's, still live


def test_a_family_another_run_finishes_while_this_one_sends_is_counted_once(issue, store, write_roster, run,
                                                                             tmp_path):  # noqa: F811
    """Seen busy by one claim and done by the next, omar was counted twice ("Skipped, already
    sent: 1" and "Being sent by another run: 1" for one family): the report says what the
    other runs did once, as it stands at the end."""
    rows = [["amal@example.org", "Amal", "Arabic", "Aiken", "2"], ["omar@example.org", "Omar", "Arabic", "Hall", "10"]]
    assert run("subscribers", "import", write_roster(rows)).exit_code == 0
    omar = store.get("omar@example.org").id
    with store.write() as connection:                       # another run is sending to omar
        sendlog.claim(connection, issue.key, [{"subscriber_id": omar, "email": "omar@example.org", "language": "ar",
                                               "segment": "all-families", "backend": "outbox",
                                               "message_id": "<omar>"}], "another-host:1:x", sendlog.PENDING, {})
    backend = OutboxBackend(tmp_path, issue.key)
    deliver = backend.send

    def the_other_run_finishes_meanwhile(messages, journal=None):
        with store.write() as connection:
            sendlog.record(connection, issue.key, [SendResult(omar, "sent")])
        yield from deliver(messages, journal)
    backend.send = the_other_run_finishes_meanwhile
    report = sender(issue, store, backend).run(None)
    assert set(outbox_files(tmp_path / issue.key)) == {"amal@example.org"}
    assert report.results == {"sent": 1} and report.skipped == {"sent": 1} and report.busy == 0
