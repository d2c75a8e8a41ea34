"""The studio's send pages: ready and approved (void after a change, two people), the plan per
language and school, proofs, a confirmation that refuses crafted numbers, segments and fingerprints,
a send scheduled for 07:00 that the worker runs then, progress by server-sent events, the report
per language x school, failures with actions, a formula-safe CSV, retry; roles refused."""
from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.studio.conftest import SAMPLE, SECRET, add_staff, csrf, sign_in

URL = f"/equity/{SAMPLE}"


@pytest.fixture
def sending_app(newsletters, studio_store, clock):
    from common.settings import Settings
    from mailer.audiences.audiences_file import load_audiences
    from mailer.roster.families import read_roster
    from mailer.roster.importer import import_roster
    from studio.app import create_app
    from studio.send_pages import SendDesk
    from studio.studio_settings import StudioSettings

    shutil.copy(ROOT / "audiences.yaml", newsletters.parent / "audiences.yaml")
    import_roster(studio_store, read_roster(ROOT / "tests" / "fixtures" / "roster_sample.csv",
                                            load_audiences(newsletters.parent / "audiences.yaml")), skip_invalid=True)
    publication = newsletters / "equity" / "publication.yaml"
    publication.write_text(publication.read_text(encoding="utf-8") + "\napproval: two-person\n", encoding="utf-8")
    add_staff(studio_store, clock, "eve@example.org")                                     # equity editor
    add_staff(studio_store, clock, "sam@example.org", role="sender")                      # equity sender
    add_staff(studio_store, clock, "fiona@example.org", role="sender", publications=("food",))
    add_staff(studio_store, clock, "tina@example.org", role="translator")
    core = Settings.from_env({}, db=studio_store.url)
    app = create_app(StudioSettings(secret_key=SECRET), store=studio_store, newsletters_dir=newsletters, clock=clock,
                     sending=SendDesk(core, poll_seconds=0.01, stream_minutes=0.01, report_seconds=1))
    app.config["core"] = core
    return app


def bounce_one(store) -> str:
    """SendGrid's webhook reports a bounce for one family the issue was sent to; its address."""
    from mailer.store.delivery_events import apply, from_sendgrid
    from mailer.store.tables import send_log, subscribers
    with store.read() as connection:
        row = connection.execute(send_log.select().where(send_log.c.status == "sent").limit(1)).first()
        email = connection.execute(subscribers.select().where(subscribers.c.id == row.subscriber_id)).first().email
    apply(store, [from_sendgrid({"sg_event_id": "b-1", "event": "bounce", "email": email, "type": "bounce",
                                 "reason": "550 mailbox unavailable", "timestamp": 1634814000,
                                 "subscriber": str(row.subscriber_id), "issue": f"equity/{SAMPLE}"})])
    return email


def client_of(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def post(client, path, data):
    page = client.get(f"{URL}/send").get_data(as_text=True)
    return client.post(path, data={"csrf_token": csrf(page), **data})


def fingerprint_of(client) -> str:
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', client.get(f"{URL}/send").get_data(as_text=True))[1]


def _subject(path: Path) -> str:
    from email import message_from_bytes, policy
    return str(message_from_bytes(path.read_bytes(), policy=policy.default)["Subject"])


def test_approve_test_schedule_send_and_see_who_got_it(sending_app, newsletters, clock):
    from workflows import schedule
    store, core = sending_app.config["studio"].store, sending_app.config["core"]
    eve, sam = client_of(sending_app, "eve@example.org"), client_of(sending_app, "sam@example.org")

    page = sam.get(f"{URL}/send").get_data(as_text=True)
    assert "not marked ready yet" in page.lower() and "families</button>" not in page
    assert "Families per language" in page and "Families per school" in page and "WHPS" in page
    assert post(eve, f"{URL}/ready", {}).status_code == 302
    assert post(eve, f"{URL}/approve", {"fingerprint": "x"}).status_code == 403     # an editor does not approve
    assert post(sam, f"{URL}/approve", {"fingerprint": fingerprint_of(sam)}).status_code == 302
    page = sam.get(f"{URL}/send").get_data(as_text=True)
    assert "Approved by sam@example.org" in page, re.search(r"approval-state.*?</p>", page, re.S)[0]

    issue_yaml = newsletters / "equity" / SAMPLE / "issue.yaml"                       # a change after approval
    issue_yaml.write_text(issue_yaml.read_text(encoding="utf-8").replace("title:", "title: New -", 1), encoding="utf-8")
    page = sam.get(f"{URL}/send").get_data(as_text=True)
    assert "Approval void" in page and "Not approved yet" in page
    post(eve, f"{URL}/ready", {})
    post(sam, f"{URL}/approve", {"fingerprint": fingerprint_of(sam)})

    proofs = post(sam, f"{URL}/test-send", {"segment": "all-families", "addresses": "pat@example.org"})
    assert proofs.status_code == 200
    sent = list(Path("outbox/proofs").rglob("*.eml"))
    languages = {p.parent.name for p in sent}
    assert len(languages) > 1 and all("[TEST]" in _subject(p) for p in sent)
    assert any("pat@example.org" in p.read_text(encoding="utf-8", errors="replace") for p in sent)

    good = {"segment": "all-families", "families": "50", "typed": "50", "fingerprint": fingerprint_of(sam),
            "when": "later", "at": "2021-10-21T07:00"}
    for crafted in ({"typed": "49"}, {"families": "5", "typed": "5"}, {"fingerprint": "0" * 64},
                    {"segment": "spanish"}, {"segment": "nobody-such"}, {"at": "2021-10-21T06:00"}):
        answer = post(sam, f"{URL}/confirm", {**good, **crafted})
        assert answer.status_code in (400, 409), crafted
    assert schedule.listed(store, "equity", SAMPLE) == []
    answer = post(sam, f"{URL}/confirm", good)
    assert answer.status_code == 302, re.search(r"role=\"alert\">(.*?)<", answer.get_data(as_text=True))[1]
    [item] = schedule.listed(store, "equity", SAMPLE)
    assert item.state == "scheduled" and item.run_at == dt.datetime(2021, 10, 21, 11, 0, tzinfo=dt.timezone.utc)

    assert schedule.run_due(core, store=store, clock=lambda: item.run_at - dt.timedelta(minutes=1)) == []
    [done] = schedule.run_due(core, store=store, clock=lambda: item.run_at)
    assert done.state == "done" and "50 families" in done.detail and "late" not in done.detail

    events = sam.get(f"/api{URL.replace('/equity', '/equity', 1)}/progress").get_data(as_text=True)
    last = [line for line in events.splitlines() if line.startswith("data: {\"id\"")][-1]
    assert '"percent": 100' in last and '"state": "done"' in last
    assert "100%" in sam.get(f"{URL}/progress").get_data(as_text=True)

    report = sam.get(f"{URL}/report").get_data(as_text=True)
    assert "No open tracking" in report and "Not reached (0)" in report
    languages = dict(re.findall(r'<th scope="row">(\w+)</th><td>all schools[^<]*</td><td>(\d+)</td>', report))
    assert len(languages) > 1 and sum(map(int, languages.values())) == 50        # each family once

    # The open report page asks every few seconds; a bounce from the webhook shows at the next ask.
    since = re.search(r'/report\?since=(\w+)', report)[1]
    assert sam.get(f"/api{URL}/report?since={since}").status_code == 204          # nothing new
    bounce_one(store)
    fresh = sam.get(f"/api{URL}/report?since={since}")
    assert fresh.status_code == 200 and 'id="report-live"' in fresh.get_data(as_text=True)
    bounced = re.findall(r'<th scope="row">\w+</th><td>all schools[^<]*</td>(?:<td>\d+</td>){2}<td>(\d+)</td>',
                         fresh.get_data(as_text=True))
    assert sum(map(int, bounced)) == 1


def test_failures_show_with_actions_a_safe_csv_and_retry(sending_app, clock):
    from sqlalchemy import update

    from mailer.store.tables import send_log
    from workflows import schedule
    store, core = sending_app.config["studio"].store, sending_app.config["core"]
    publication = Path("newsletters/equity/publication.yaml")
    publication.write_text(publication.read_text(encoding="utf-8").replace("approval: two-person", "approval: none"),
                           encoding="utf-8")
    sam = client_of(sending_app, "sam@example.org")
    now = {"segment": "all-families", "families": "50", "typed": "50", "fingerprint": fingerprint_of(sam),
           "when": "now"}
    answer = post(sam, f"{URL}/confirm", now)                         # 05:00 in West Hartford: quiet hours
    assert answer.status_code == 409 and "quiet hours" in answer.get_data(as_text=True)
    assert post(sam, f"{URL}/confirm", {**now, "force": "yes"}).status_code == 302
    schedule.run_due(core, store=store, clock=clock)
    with store.write() as connection:
        ids = [r.id for r in connection.execute(send_log.select().order_by(send_log.c.id).limit(3))]
        connection.execute(update(send_log).where(send_log.c.id.in_(ids)).values(
            status="failed", detail="=HYPERLINK(\"http://x\") 451 try later"))
    report = sam.get(f"{URL}/report").get_data(as_text=True)
    assert "Not reached (3)" in report and "retry failed" in report and "Retry failed" in report
    csv_text = sam.get(f"{URL}/failures.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    page = sam.get(f"{URL}/report").get_data(as_text=True)
    assert sam.post(f"{URL}/retry", data={"csrf_token": csrf(page), "segment": "all-families", "what": "failed",
                                          "force": "yes"}).status_code == 302
    [retried] = schedule.run_due(core, store=store, clock=clock)
    assert retried.state == "done" and "3 families" in retried.detail
    assert "Not reached (0)" in sam.get(f"{URL}/report").get_data(as_text=True)


def test_roles_a_food_sender_and_a_translator_cannot_send_equity(sending_app):
    fiona, tina = client_of(sending_app, "fiona@example.org"), client_of(sending_app, "tina@example.org")
    token = csrf(fiona.get("/").get_data(as_text=True))
    for path in ("confirm", "approve", "test-send", "retry"):
        assert fiona.post(f"{URL}/{path}", data={"csrf_token": token}).status_code == 403
    assert fiona.get(f"{URL}/progress").status_code == 403
    token = csrf(tina.get("/").get_data(as_text=True))
    assert tina.post(f"{URL}/confirm", data={"csrf_token": token}).status_code == 403
    assert tina.get(f"{URL}/send").status_code == 403
    assert tina.get(f"{URL}/progress").status_code == 200
    assert tina.get(f"{URL}/report").status_code == 403


def test_two_person_refuses_an_editor_who_also_sends(sending_app, clock):
    store = sending_app.config["studio"].store
    from studio import accounts
    add_staff(store, clock, "both@example.org")
    from sqlalchemy import insert

    from mailer.store.tables import staff_roles
    with store.write() as connection:
        connection.execute(insert(staff_roles).values(account_id=accounts.by_email(store, "both@example.org").id,
                                                      publication="equity", role="sender"))
    both = client_of(sending_app, "both@example.org")
    post(both, f"{URL}/ready", {})
    answer = post(both, f"{URL}/approve", {"fingerprint": fingerprint_of(both)})
    assert answer.status_code == 409 and "needs two people" in answer.get_data(as_text=True)
