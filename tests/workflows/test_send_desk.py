"""The core of sending from the studio: approval by content fingerprint (voided by any change,
two-person), the send's refusal of unapproved content, scheduled sends with quiet hours and the
worker (late starts, two workers, a dead worker's send taken over), progress in the store."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

UTC = dt.timezone.utc
ISSUE = Path("newsletters/equity/2021-09-sept-oct")


@pytest.fixture
def desk(tmp_path, monkeypatch):
    """A copy of newsletters/ and audiences.yaml as the current folder, a store with the sample roster
    (50 families), and the settings pointing at them."""
    from common.settings import Settings
    from mailer.audiences.audiences_file import load_audiences
    from mailer.roster.families import read_roster
    from mailer.roster.importer import import_roster
    from mailer.store.subscribers import Store

    shutil.copytree(ROOT / "newsletters", tmp_path / "newsletters")
    shutil.copy(ROOT / "audiences.yaml", tmp_path / "audiences.yaml")
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path / 'store.db'}"
    settings = Settings.from_env({}, db=url)
    with Store.open(url) as store:
        import_roster(store, read_roster(ROOT / "tests" / "fixtures" / "roster_sample.csv",
                                         load_audiences(tmp_path / "audiences.yaml")), skip_invalid=True)
        yield settings, store


def require(policy: str) -> None:
    path = ISSUE.parent / "publication.yaml"
    path.write_text(path.read_text(encoding="utf-8") + f"\napproval: {policy}\nquiet_hours: 21:00-07:00\n",
                    encoding="utf-8")


def edit_issue() -> None:
    path = ISSUE / "issue.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "title: Changed -", 1), encoding="utf-8")


def send_now(settings, **kwargs):
    from workflows import sending
    job = sending.prepare(settings, sending.SendRequest(ISSUE, "all-families"))
    return sending.send(settings, job, **kwargs)


NOW = dt.datetime(2021, 10, 20, 14, 0, tzinfo=UTC)       # 10:00 in West Hartford


def test_a_footer_string_approved_in_the_studio_changes_the_content_fingerprint(desk):
    """The district's reviewed chrome strings (newsletters/library/chrome/) are in every email, as
    the product's catalogs are: approving one afterwards voids an approval, like any change."""
    from workflows import approval
    before = approval.fingerprint(ISSUE)
    reviewed = Path("newsletters/library/chrome/es.po")
    reviewed.parent.mkdir(parents=True, exist_ok=True)
    reviewed.write_text('msgid "Dear family,"\nmsgstr "Queridas familias:"\n', encoding="utf-8")
    assert approval.fingerprint(ISSUE) != before


def test_approval_is_of_exact_content_and_the_send_refuses_anything_else(desk):
    from workflows import approval, progress
    settings, store = desk
    require("two-person")
    before = approval.fingerprint(ISSUE)
    with pytest.raises(approval.NotApproved, match="not approved: not marked ready"):
        send_now(settings)
    with pytest.raises(approval.NotApproved, match="not marked ready"):
        approval.approve(store, ISSUE, "sam@example.org", NOW)
    approval.mark_ready(store, ISSUE, "eve@example.org", NOW)
    with pytest.raises(approval.NotApproved, match="needs two people"):
        approval.approve(store, ISSUE, "eve@example.org", NOW)
    with pytest.raises(approval.NotApproved, match="changed since you opened it"):
        approval.approve(store, ISSUE, "sam@example.org", NOW, seen="0" * 64)
    state = approval.approve(store, ISSUE, "sam@example.org", NOW, seen=before)
    assert state.approved and state.approved_by == "sam@example.org" and state.may_send

    edit_issue()                                          # any change voids it, visibly
    state = approval.state(store, ISSUE)
    assert state.void and not state.may_send and "approval void" in state.words()
    with pytest.raises(approval.NotApproved, match="approval void"):
        send_now(settings)

    library = Path("newsletters/library/mental-health.yaml")     # a library block the issue includes
    approval.mark_ready(store, ISSUE, "eve@example.org", NOW)
    approval.approve(store, ISSUE, "sam@example.org", NOW)
    library.write_text(library.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert approval.state(store, ISSUE).void
    approval.mark_ready(store, ISSUE, "eve@example.org", NOW)
    approval.approve(store, ISSUE, "sam@example.org", NOW)

    outcome = send_now(settings)
    assert outcome.report.delivered == 50
    run = progress.latest(store, "equity/2021-09-sept-oct")
    assert run.state == "done" and run.percent == 100 and run.done == 50
    assert sum(row["sent"] for row in run.languages.values()) == 50


def test_a_publication_without_approval_sends_as_before_and_marking_ready_needs_no_problems(desk):
    from common.errors import NewsletterError
    from workflows import approval
    settings, store = desk
    assert send_now(settings).report.delivered == 50
    path = ISSUE / "issue.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title:", "titel:", 1), encoding="utf-8")
    with pytest.raises(NewsletterError, match="problem"):
        approval.mark_ready(store, ISSUE, "eve@example.org", NOW)


def _request(run_at, **kwargs):
    from workflows import approval, schedule
    return schedule.ScheduleRequest(ISSUE, "all-families", "outbox", 50, approval.fingerprint(ISSUE), run_at,
                                    "sam@example.org", **kwargs)


def test_quiet_hours_scheduling_cancel_reschedule_and_a_late_start(desk):
    from common.errors import NewsletterError
    from workflows import schedule
    settings, store = desk
    with pytest.raises(NewsletterError, match="quiet hours"):
        schedule.schedule(store, _request(dt.datetime(2021, 10, 21, 2, 0, tzinfo=UTC)), NOW)   # 22:00 local
    forced = schedule.schedule(store, _request(dt.datetime(2021, 10, 21, 2, 0, tzinfo=UTC), force=True), NOW)
    schedule.cancel(store, forced.id, "sam@example.org", NOW)
    seven = dt.datetime(2021, 10, 21, 11, 0, tzinfo=UTC)                                       # 07:00 local
    item = schedule.schedule(store, _request(seven + dt.timedelta(hours=1)), NOW)
    with pytest.raises(NewsletterError, match="quiet hours"):
        schedule.reschedule(store, item.id, seven - dt.timedelta(hours=1), NOW)
    item = schedule.reschedule(store, item.id, seven, NOW)

    assert schedule.run_due(settings, store=store, clock=lambda: seven - dt.timedelta(minutes=1)) == []
    later = seven + dt.timedelta(hours=3, minutes=5)                                           # no worker ran
    done = schedule.run_due(settings, store=store, clock=lambda: later)
    assert [d.id for d in done] == [item.id]
    assert done[0].state == "done" and "started 3 h 5 min late" in done[0].detail and "50 families" in done[0].detail
    with pytest.raises(NewsletterError, match="can no longer be changed"):
        schedule.cancel(store, item.id, "sam@example.org", later)
    assert len(list(Path("outbox/equity/2021-09-sept-oct").rglob("*.eml"))) == 50


def test_a_scheduled_send_refuses_content_changed_after_it_was_confirmed(desk):
    from workflows import schedule
    settings, store = desk
    schedule.schedule(store, _request(NOW), NOW)
    edit_issue()
    [done] = schedule.run_due(settings, store=store, clock=lambda: NOW)
    assert done.state == "stopped" and "changed after this send was confirmed" in done.detail
    assert not Path("outbox/equity/2021-09-sept-oct").exists()


def test_two_workers_one_claim_and_a_dead_workers_send_is_taken_over(desk):
    from sqlalchemy import update

    from mailer.store.tables import scheduled_sends
    from workflows import schedule
    settings, store = desk
    item = schedule.schedule(store, _request(NOW), NOW)
    first = schedule.claim_due(store, "host-a:1:aa", NOW)
    assert first.id == item.id and first.state == "running"
    assert schedule.claim_due(store, "host-b:2:bb", NOW) is None            # the other worker leaves it
    # the first worker dies (its lease runs out): another takes the send over and finishes it
    with store.write() as connection:
        connection.execute(update(scheduled_sends).values(lease_until=NOW - dt.timedelta(seconds=1)))
    [done] = schedule.run_due(settings, store=store, clock=lambda: NOW)
    assert done.state == "done" and done.owner != "host-a:1:aa"
    assert len(list(Path("outbox/equity/2021-09-sept-oct").rglob("*.eml"))) == 50


def test_compose_py_send_refuses_unapproved_and_changed_content_too(desk, monkeypatch):
    from click.testing import CliRunner

    import compose
    from workflows import approval
    settings, store = desk
    require("two-person")
    monkeypatch.setenv("NEWSLETTER_DB", settings.db)
    monkeypatch.setenv("NEWSLETTER_SECRET", "test-secret-0123456789abcdef-0123456789")
    monkeypatch.setenv("NEWSLETTER_BASE_URL", "https://prefs.example.org")

    def send():
        return CliRunner().invoke(compose.cli, ["send", str(ISSUE), "--to", "all-families", "--outbox", "outbox",
                                                "--reports", "reports", "--yes"], catch_exceptions=False)

    def emails() -> int:
        return len(list(Path("outbox").rglob("*.eml")))

    refused = send()
    assert refused.exit_code == 1 and "not approved: not marked ready" in refused.stderr and emails() == 0
    approval.mark_ready(store, ISSUE, "eve@example.org", NOW)
    approval.approve(store, ISSUE, "sam@example.org", NOW)
    edit_issue()                                                         # changed after the approval
    refused = send()
    assert refused.exit_code == 1 and "approval void" in refused.stderr and emails() == 0
    approval.mark_ready(store, ISSUE, "eve@example.org", NOW)
    approval.approve(store, ISSUE, "sam@example.org", NOW)
    sent = send()
    assert sent.exit_code == 0, sent.output
    assert emails() == 50
