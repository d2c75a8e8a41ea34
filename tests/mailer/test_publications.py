"""Several offices in one install: each publication its own send log, sender, List-Id, footer
and list; one-click unsubscribe leaves one publication only; the store migrates."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from blocks.loader import load_issue
from mailer.backends.outbox import OutboxBackend
from mailer.store.database import make_engine, migrate
from mailer.store.tables import send_log, status_history, subscribers, utcnow
from tests.mailer.test_send import FAMILIES, outbox_files, read_eml, sender
from tests.old_stores import SEND_LOG_0006

ROOT = Path(__file__).resolve().parents[2]
EQUITY = ROOT / "newsletters" / "equity" / "2021-09-sept-oct"
FOOD = ROOT / "newsletters" / "food" / "2021-09-sept-oct"


@pytest.fixture
def families(store, write_roster, run):
    result = run("subscribers", "import", write_roster(FAMILIES))
    assert result.exit_code == 0, result.output
    assert "follow: equity, food" in result.output          # the sample's publications both default_subscribe
    return store


def send_both(store, tmp_path):
    reports = {}
    for folder in (EQUITY, FOOD):
        issue = load_issue(folder)
        segment = _segment(issue)
        reports[issue.key] = sender(issue, store, OutboxBackend(tmp_path, issue.key)).run(segment)
    return reports


def _segment(issue):
    from mailer.audiences.audiences_file import Segment
    return Segment("all-families", "", None).of(issue.publication.slug, issue.publication.default_subscribe)


def test_two_publications_with_the_same_issue_name_each_reach_every_family_once(families, tmp_path):
    reports = send_both(families, tmp_path)
    assert reports["equity/2021-09-sept-oct"].results == {"sent": 5}
    assert reports["food/2021-09-sept-oct"].results == {"sent": 5}        # not "already sent for this issue"
    equity, food = outbox_files(tmp_path / "equity" / "2021-09-sept-oct"), outbox_files(tmp_path / "food" / "2021-09-sept-oct")
    assert set(equity) == set(food) == {row[0] for row in FAMILIES}
    a, b = read_eml(equity["joe@example.org"]), read_eml(food["joe@example.org"])
    assert a["From"].addresses[0].addr_spec == "equity@example.org"
    assert b["From"].addresses[0].addr_spec == "nutrition@example.org"
    assert a["List-Id"] != b["List-Id"] and "<food.newsletter.example.org>" in b["List-Id"]
    assert a["Message-ID"] != b["Message-ID"]           # a mailbox would drop a second message with the same id
    footer_a, footer_b = a.get_body(("plain",)).get_content(), b.get_body(("plain",)).get_content()
    assert "Office of Equity Advancement" in footer_a and "Food and Nutrition Services" in footer_b
    assert "Food and Nutrition Services" not in footer_a
    spanish = read_eml(food["ana@example.org"])
    assert spanish["Subject"].startswith("Comidas escolares gratis")     # the food issue's human Spanish edition
    again = send_both(families, tmp_path)           # a rerun of either sends nobody twice
    assert again["equity/2021-09-sept-oct"].results == {} and again["food/2021-09-sept-oct"].results == {}


def test_one_click_unsubscribe_leaves_only_that_publication(families, tmp_path):
    from family_web.web_app import create_app
    from tests.family_web.conftest import AUDIENCES, SIGNER as PAGE_SIGNER
    from mailer.audiences.audiences_file import load_audiences
    app = create_app(store=families, signer=PAGE_SIGNER, audiences=load_audiences(AUDIENCES), webhook_key="",
                     newsletters_dir=ROOT / "newsletters")
    client = app.test_client()
    joe = families.get("joe@example.org")
    token = PAGE_SIGNER.token("u", joe.id, "food/2021-09-sept-oct")
    page = client.get(f"/u/{token}").get_data(as_text=True)
    assert "Food and Nutrition Services" in page            # the page of the message's publication
    done = client.post(f"/u/{token}", data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "You will not receive Food and Nutrition Services emails any more" in text
    assert "Unsubscribe from everything" in text           # leaving all is offered, not done
    assert families.get("joe@example.org").status == "subscribed"
    reports = send_both(families, tmp_path)
    assert reports["equity/2021-09-sept-oct"].results == {"sent": 5}
    assert reports["food/2021-09-sept-oct"].results == {"sent": 4}
    assert "joe@example.org" not in outbox_files(tmp_path / "food")
    # the preference page shows both, ticked as they are; ticking food again subscribes again
    preferences = PAGE_SIGNER.token("p", joe.id, "equity/2021-09-sept-oct")
    page = client.get(f"/p/{preferences}").get_data(as_text=True)
    assert 'value="equity" checked' in page and 'value="food">' in page
    import re
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]
    saved = client.post(f"/p/{preferences}", data={"csrf": csrf, "action": "save", "language": "en",
                                                    "publications-shown": "1", "publications": ["equity", "food"]})
    assert saved.status_code == 200 and 'value="food" checked' in saved.get_data(as_text=True)
    with families.read() as connection:
        changes = connection.execute(select(status_history.c.publication, status_history.c.new_status)
                                     .where(status_history.c.subscriber_id == joe.id,
                                            status_history.c.publication.is_not(None))).all()
    assert changes == [("food", "unsubscribed"), ("food", "subscribed")]      # each change in the history


def test_a_publication_not_sent_by_default_reaches_only_families_imported_for_it(store, write_roster, run, tmp_path,
                                                                               monkeypatch):
    project = tmp_path / "project"
    shutil.copytree(ROOT / "newsletters", project / "newsletters")
    settings = project / "newsletters" / "food" / "publication.yaml"
    settings.write_text(settings.read_text().replace("default_subscribe: true", "default_subscribe: false"))
    monkeypatch.chdir(project)
    assert run("subscribers", "import", write_roster(FAMILIES[:2])).exit_code == 0
    imported = run("subscribers", "import", write_roster(FAMILIES[2:], name="food.csv"), "--publication", "food")
    assert imported.exit_code == 0 and "3 newly subscribed to food" in imported.output
    issue = load_issue(project / "newsletters" / "food" / "2021-09-sept-oct")
    report = sender(issue, store, OutboxBackend(tmp_path / "out", issue.key)).run(_segment(issue))
    assert report.results == {"sent": 3}
    unknown = run("subscribers", "import", write_roster(FAMILIES), "--publication", "fod")
    assert unknown.exit_code == 1 and "no publication called fod" in unknown.output


def test_a_segment_scoped_to_a_publication_refuses_another_ones_issue(tmp_path, run, store):
    audiences = tmp_path / "audiences.yaml"
    audiences.write_text((ROOT / "audiences.yaml").read_text() + "\n  food-spanish:\n    description: Spanish, "
                         "food news\n    publication: food\n    language: es\n")
    result = run("send", EQUITY, "--to", "food-spanish", "--dry-run", "--audiences", audiences)
    assert result.exit_code == 1
    assert "segment 'food-spanish' is for the publication 'food', and this issue is from 'equity'" in result.output


def test_publication_yaml_in_the_wrong_place_is_an_error_naming_the_right_one(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "newsletters" / "food", tmp_path / "newsletters" / "food")
    issue = tmp_path / "newsletters" / "food" / "2021-09-sept-oct"
    shutil.copy(issue.parent / "publication.yaml", issue / "publication.yaml")
    result = run("check", issue)
    assert result.exit_code == 1
    assert "publication.yaml inside an issue folder is not read" in result.output
    assert "move it beside the issues, to newsletters/food/publication.yaml" in result.output
    (issue / "publication.yaml").unlink()
    whole = run("check", issue.parent)
    assert "this is a publication's folder, not an issue's" in whole.output and "2021-09-sept-oct" in whole.output
    (issue.parent / "publication.yaml").unlink()
    missing = run("check", issue)
    assert "no publication.yaml beside this issue" in missing.output and "new-publication" in missing.output


def test_an_old_store_migrates_its_send_log_to_the_publication_with_history_intact(store_url, monkeypatch):
    engine = make_engine(store_url)
    migrate(engine, "0006")                         # the store as the last version left it
    now = utcnow()
    with engine.begin() as connection:
        sid = connection.execute(insert(subscribers).values(
            email="ana@example.org", language="es", status="unsubscribed", source="roster.csv", created_at=now,
            updated_at=now)).inserted_primary_key[0]
        connection.execute(insert(status_history).values(subscriber_id=sid, new_status="unsubscribed",
                                                         changed_by="link", changed_at=now, reason="issue x"))
        connection.execute(insert(SEND_LOG_0006).values(
            issue="2021-09-sept-oct", subscriber_id=sid, email="ana@example.org", language="es", segment="all",
            backend="outbox", status="sent", message_id="<m@x>", created_at=now, updated_at=now))
    monkeypatch.chdir(ROOT)                         # two publications here: the store must be told which
    from common.errors import StoreError
    with pytest.raises(StoreError) as caught:
        migrate(engine)
    assert "NEWSLETTER_PUBLICATION=equity" in str(caught.value.problems[0].hint)
    from common.settings import Settings                # NEWSLETTER_PUBLICATION, as Store.open passes it on
    migrate(engine, publication=Settings.from_env({"NEWSLETTER_PUBLICATION": "equity"}).legacy_publication)
    with engine.connect() as connection:
        assert connection.execute(select(send_log.c.issue, send_log.c.status)).all() == \
            [("equity/2021-09-sept-oct", "sent")]
        assert connection.execute(select(subscribers.c.status)).scalar() == "unsubscribed"
        assert connection.execute(select(status_history.c.reason)).scalar() == "issue x"
    engine.dispose()


def test_staff_see_which_publications_a_family_gets(families, run):
    from mailer.store.subscriptions import set_subscription
    joe = families.get("joe@example.org")
    with families.write() as connection:
        set_subscription(connection, joe.id, "food", "unsubscribed", by="link:one-click", reason="issue food/x")
    shown = run("subscribers", "show", "joe@example.org")
    assert shown.exit_code == 0
    assert "gets        equity\n" in shown.output
    assert "subscribed -> unsubscribed (food)" in shown.output


def test_two_publications_with_one_slug_are_refused_naming_both(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "newsletters", tmp_path / "newsletters")
    food = tmp_path / "newsletters" / "food" / "publication.yaml"
    food.write_text(food.read_text().replace("slug: food", "slug: equity"))
    result = run("check", tmp_path / "newsletters" / "food" / "2021-09-sept-oct")
    assert result.exit_code == 1
    assert "newsletters/food/publication.yaml" in result.output
    assert "'equity' is also the slug of newsletters/equity/publication.yaml" in result.output


def test_a_publication_cannot_be_named_like_an_address_of_the_preference_center(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "newsletters" / "food", tmp_path / "newsletters" / "static")
    settings = tmp_path / "newsletters" / "static" / "publication.yaml"
    settings.write_text(settings.read_text().replace("slug: food", ""))      # the folder's name, then
    result = run("check", tmp_path / "newsletters" / "static" / "2021-09-sept-oct")
    assert result.exit_code == 1 and "'static' is an address the preference center uses itself" in result.output


def test_staff_can_unsubscribe_a_family_from_one_publication(families, run, tmp_path):
    left = run("subscribers", "unsubscribe", "joe@example.org", "--publication", "food", "--reason", "asked by phone")
    assert left.exit_code == 0 and "unsubscribed from food; other publications unchanged" in left.output
    assert families.get("joe@example.org").status == "subscribed"
    reports = send_both(families, tmp_path)
    assert reports["equity/2021-09-sept-oct"].results == {"sent": 5}
    assert reports["food/2021-09-sept-oct"].results == {"sent": 4}
    again = run("subscribers", "unsubscribe", "joe@example.org", "--publication", "food")
    assert "already unsubscribed from food" in again.output
    back = run("subscribers", "opt-in", "joe@example.org", "--source", "phone call, 2021-10-04", "--publication", "food")
    assert back.exit_code == 0 and "joe@example.org follows food." in back.output
    assert send_both(families, tmp_path)["food/2021-09-sept-oct"].results == {"sent": 1}


def test_staff_see_how_many_families_a_segment_reaches_for_one_publication(families, run, tmp_path):
    """audience list/show --publication count as a send of that publication reaches: a family
    who left it is not counted; without it, every family of the segment is."""
    assert run("subscribers", "unsubscribe", "joe@example.org", "--publication", "food").exit_code == 0
    every, food = run("audience", "list"), run("audience", "list", "--publication", "food")
    assert every.exit_code == food.exit_code == 0, every.output + food.output
    def families_of_all(result) -> str:
        return next(line.split()[1] for line in result.output.splitlines() if line.startswith("all-families"))
    assert families_of_all(every) == "5" and families_of_all(food) == "4"
    assert "those who get food" in food.output
    shown = run("audience", "show", "all-families", "--publication", "food")
    assert "4 subscribed families in this segment." in shown.output and "follows food" in shown.output
    assert "5 subscribed families" in run("audience", "show", "all-families", "--publication", "equity").output
    unknown = run("audience", "show", "all-families", "--publication", "fod")
    assert unknown.exit_code == 1 and "no publication called fod" in unknown.output
    audiences = tmp_path / "audiences.yaml"                      # a segment only for food counts food's families
    audiences.write_text((ROOT / "audiences.yaml").read_text() + "\n  food-news:\n    description: Food news\n"
                         "    publication: food\n")
    scoped = run("audience", "show", "food-news", "--audiences", audiences)
    assert "4 subscribed families in this segment." in scoped.output
    assert "food-news" not in run("audience", "list", "--publication", "equity", "--audiences", audiences).output
    other = run("audience", "show", "food-news", "--publication", "equity", "--audiences", audiences)
    assert other.exit_code == 1 and "only for the publication 'food'" in other.output
