"""Temporary refusals never hold up the others (issue 25, fault 5): a family answered 451 (greylisting),
421 or 452 goes back to the queue with its own not-before time; its batch and the batches behind it go
on; at the end the run waits for the earliest, within the backend's retry schedule. The clock is a fake
one that sleeping moves on, so these tests wait for nothing."""
from __future__ import annotations

import datetime as dt

import pytest

from mailer.backends.smtp import SMTPBackend
from mailer.store.tables import send_log
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.test_send import ISSUE_DIR, ROOT, SIGNER, compose, issue, sender  # noqa: F401

LANGUAGES = ["Spanish", "Arabic", "English", "Portuguese"]


class FakeClock:
    """now() and sleep(seconds): sleeping only moves the time on, and adds up what was waited."""

    def __init__(self):
        self.now = dt.datetime.now(dt.timezone.utc)
        self.waited = 0.0

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waited += seconds
        self.now += dt.timedelta(seconds=seconds)


def address(lang: str, i: int) -> str:
    return f"{lang.lower()}{i}@example.org"


@pytest.fixture
def district(store, write_roster, run):
    """24 families, 6 in each of four languages."""
    rows = [[address(lang, i), f"{lang} Family {i}", lang, "Aiken", "2"] for lang in LANGUAGES for i in range(6)]
    result = run("subscribers", "import", write_roster(rows))
    assert result.exit_code == 0, result.output
    return store


def smtp(sink, clock: FakeClock, retries: int = 5, delay: float = 2.0) -> SMTPBackend:
    backend = SMTPBackend("127.0.0.1", sink.port, security="none", pool=1, retries=retries, retry_delay=delay,
                          sleep=clock.sleep)
    backend.batch_size = 3              # several batches per language: "the batches behind it"
    return backend


def logged(store, key) -> dict[str, tuple]:
    with store.read() as connection:
        return {r.email: (r.status, r.detail, r.deferrals, r.lease_until) for r in connection.execute(
            send_log.select().where(send_log.c.issue == key))}


def test_four_greylisted_addresses_in_four_languages_wait_no_more_than_one_retry_schedule(issue, district):
    greylisted = [address(lang, 1) for lang in LANGUAGES]            # each the 2nd of its language's first batch
    clock = FakeClock()
    with SMTPSink() as sink:
        for each in greylisted:
            sink.refuse[each] = [451, 451]                           # "try again later", twice
        backend = smtp(sink, clock)
        report = sender(issue, district, backend, clock=clock, sleep=clock.sleep).run(None)
    # every family got it once, the four greylisted ones on their third try
    assert sink.per_address() == {address(lang, i): 1 for lang in LANGUAGES for i in range(6)}
    assert report.results == {"sent": 24} and sum(report.planned.values()) == 24
    # every other family was sent to before any retry: nobody waited behind a greylisted address
    order = [rcpt for rcpt, _ in sink.rcpts]
    first_retry = min(i for i, rcpt in enumerate(order) if rcpt in greylisted and rcpt in order[:i])
    others = [i for i, rcpt in enumerate(order) if rcpt not in greylisted]
    assert len(others) == 20 and max(others) < first_retry
    assert [code for rcpt, code in sink.rcpts if rcpt == greylisted[0]] == [451, 451, 250]
    # the four waited together: 2 s, then 4 s (the schedule's first two waits), not 4 x 6 s one after another
    assert clock.waited <= backend.retry.total_wait
    assert clock.waited == backend.retry.wait_before(1) + backend.retry.wait_before(2) == 6
    assert {status for status, *_ in logged(district, issue.key).values()} == {"sent"}


def test_an_address_that_stays_greylisted_ends_failed_with_the_reply_and_retry_failed_reaches_it(issue, district):
    stuck = address("Arabic", 3)
    clock = FakeClock()
    with SMTPSink() as sink:
        sink.refuse[stuck] = [451] * 50
        backend = smtp(sink, clock, retries=3)
        report = sender(issue, district, backend, clock=clock, sleep=clock.sleep).run(None)
        assert report.results == {"sent": 23, "failed": 1} and report.by_language["ar"]["failed"] == 1
        assert report.not_reached == {"failed": 1}
        assert [code for rcpt, code in sink.rcpts if rcpt == stuck] == [451] * 4      # the first try and 3 more
        assert clock.waited == 2 + 4 + 8 == backend.retry.total_wait                 # one schedule, no more
        status, detail, deferrals, not_before = logged(district, issue.key)[stuck]
        assert status == "failed" and "451 try again later" in detail and "--retry-failed" in detail
        assert deferrals == 0 and not_before is None                # not waiting any more: a rerun's to take

        sink.refuse.clear()                                          # the greylisting is over
        again = sender(issue, district, smtp(sink, clock), retry_failed=True, clock=clock,
                       sleep=clock.sleep).run(None)
    assert again.results == {"sent": 1} and sink.per_address()[stuck] == 1
    assert set(sink.per_address().values()) == {1} and len(sink.per_address()) == 24


class Died(Exception):
    """The run's process dying while it waits (like kill -9: nothing after it runs)."""


def test_families_waiting_when_their_run_died_are_taken_over_by_the_next_run(issue, district):
    greylisted = [address("Spanish", 0), address("English", 5)]
    clock = FakeClock()
    with SMTPSink() as sink:
        for each in greylisted:
            sink.refuse[each] = [421]                                # once

        def die(_seconds):
            raise Died()

        with pytest.raises(Died):
            sender(issue, district, smtp(sink, clock), clock=clock, sleep=die).run(None)
        rows = logged(district, issue.key)
        assert {rows[each][:3] for each in greylisted} == {("failed", "421 try again later", 1)}
        assert all(rows[each][3] is not None for each in greylisted)          # with their not-before time
        assert len(sink.per_address()) == 22

        rerun = sender(issue, district, smtp(sink, clock), clock=clock, sleep=clock.sleep).run(None)
    assert rerun.results == {"sent": 2} and sum(rerun.planned.values()) == 2
    assert clock.waited == 2                                         # until their not-before time, no longer
    assert sink.per_address() == {address(lang, i): 1 for lang in LANGUAGES for i in range(6)}


def test_a_family_that_stays_greylisted_exits_3_and_retry_failed_reaches_it(district, store_url, tmp_path):
    stuck = address("Portuguese", 4)
    with SMTPSink() as sink:
        sink.refuse[stuck] = [452] * 10
        env = {"NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
               "SMTP_SECURITY": "none", "SMTP_POOL": "2", "SMTP_RETRIES": "2", "SMTP_RETRY_DELAY": "0",
               "NEWSLETTER_SECRET": SIGNER.secret, "NEWSLETTER_BASE_URL": SIGNER.base_url,
               "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}
        send = ("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--skip-link-check",
                "--allow-local-translations", "--reports", tmp_path)
        first = compose(*send, env=env)
        assert first.returncode == 3, first.stdout + first.stderr
        assert "failed" in first.stdout and "Traceback" not in first.stderr
        assert [code for rcpt, code in sink.rcpts if rcpt == stuck] == [452] * 3
        sink.refuse.clear()
        again = compose(*send, "--retry-failed", env=env)
        assert again.returncode == 0, again.stdout + again.stderr
    assert sink.per_address()[stuck] == 1 and len(sink.per_address()) == 24 and set(sink.per_address().values()) == {1}


def test_a_greylisted_proof_is_tried_again_on_the_schedule(issue, store):
    from mailer.send.proofs import send_proofs
    clock = FakeClock()
    with SMTPSink() as sink:
        sink.refuse["staff@example.org"] = [451, 451]
        backend = smtp(sink, clock)
        [proof] = send_proofs(sender(issue, store, backend), backend, ["en"], ["staff@example.org"])
    assert proof.result.status == "sent" and sink.per_address() == {"staff@example.org": 1}
    assert clock.waited == 2 + 4


def test_a_family_one_worker_sent_back_to_the_queue_is_sent_once_by_whichever_worker_is_there(issue, district):
    greylisted = address("Arabic", 2)
    clock_a, worker_b = FakeClock(), {}
    with SMTPSink() as sink:
        sink.refuse[greylisted] = [451]

        def a_waits(seconds):                       # worker B starts while worker A waits, and finishes first
            clock_b = FakeClock()
            clock_b.now = clock_a.now
            worker_b["report"] = sender(issue, district, smtp(sink, clock_b), clock=clock_b,
                                        sleep=clock_b.sleep).run(None)
            worker_b["waited"] = clock_b.waited
            clock_a.sleep(seconds)

        report_a = sender(issue, district, smtp(sink, clock_a), clock=clock_a, sleep=a_waits).run(None)
    assert worker_b["report"].results == {"sent": 1} and worker_b["waited"] == 2     # B waited for its time too
    assert report_a.results == {"sent": 23} and report_a.skipped == {"sent": 1}      # A: done by another
    assert report_a.not_reached == {} and report_a.segment_delivered == report_a.segment_total == 24
    assert sink.per_address() == {address(lang, i): 1 for lang in LANGUAGES for i in range(6)}


def test_the_send_workflow_takes_the_clock_and_waits_once_for_the_greylisted(district, store_url, tmp_path):
    from common.settings import Settings
    from workflows import sending
    greylisted = [address(lang, 0) for lang in LANGUAGES]
    clock = FakeClock()
    with SMTPSink() as sink:
        for each in greylisted:
            sink.refuse[each] = [451]
        settings = Settings.from_env({
            "NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
            "SMTP_SECURITY": "none", "SMTP_POOL": "1", "NEWSLETTER_SECRET": SIGNER.secret,
            "NEWSLETTER_BASE_URL": SIGNER.base_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")})
        job = sending.prepare(settings, sending.SendRequest(ISSUE_DIR, "all-families", backend="smtp",
                                                            reports_dir=tmp_path, skip_link_check=True,
                                                            allow_local_translations=True))
        outcome = sending.send(settings, job, clock=clock, sleep=clock.sleep)
    assert outcome.not_reached == 0 and outcome.report.results == {"sent": 24}
    assert clock.waited == 2                                 # the four together, once: SMTP_RETRY_DELAY's 2 s
    assert sink.per_address() == {address(lang, i): 1 for lang in LANGUAGES for i in range(6)}
