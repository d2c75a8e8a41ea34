"""A link acts on the publication its issue key names, and on no other: an unknown or removed
one gets a page saying that newsletter no longer exists; links sent before publications belong to
the publication the store's upgrade recorded; offices added or removed while the preference
center runs are seen at the next request."""
from __future__ import annotations

import re
import shutil

import pytest
from sqlalchemy import insert

from tests.conftest import ROOT
from tests.family_web.conftest import AUDIENCES, SIGNER, follows

ONE_CLICK = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}


def csrf_of(response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def make_app(store, newsletters):
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    return create_app(store=store, signer=SIGNER, audiences=load_audiences(AUDIENCES), webhook_key="",
                      newsletters_dir=newsletters)


def token(store, email: str, issue: str, purpose: str = "u") -> str:
    return f"/{purpose}/{SIGNER.token(purpose, store.get(email).id, issue)}"


def nothing_changed(store, email: str, history: int) -> bool:
    return (store.get(email).status == "subscribed" and follows(store, email, "equity") and follows(store, email, "food")
            and len(store.get(email, history=True).history) == history)


@pytest.mark.parametrize("issue", ["gone/2021-09-sept-oct", "Food/2021-09-sept-oct", "../equity/2021-09-sept-oct",
                                   "2021-09-sept-oct"])
def test_a_link_to_a_newsletter_that_does_not_exist_changes_nothing_and_says_so(client, families, issue):
    """(The bare key: this store had no history before publications, so it recorded none.)"""
    history = len(families.get("ana@example.org", history=True).history)
    for purpose in ("u", "p"):
        url = token(families, "ana@example.org", issue, purpose)
        page = client.get(url)
        text = page.get_data(as_text=True)
        assert page.status_code == 410 and '<html lang="es"' in text and "Este boletín ya no existe" in text
        assert "Office of Equity Advancement" not in text and "Food and Nutrition" not in text   # no office's page
        assert f'action="{url}"' in text and 'value="unsubscribe"' in text
        assert client.post(url, **ONE_CLICK).status_code == 200               # a mailbox's one-click: nothing to do
        assert client.post(url, data={"action": "unsubscribe"}).status_code == 400       # no confirmation token
        assert client.post(url, data={"action": "save", "language": "en", "csrf": csrf_of(page)}).status_code == 400
    assert nothing_changed(families, "ana@example.org", history)


def test_unsubscribing_from_everything_from_a_removed_newsletters_page_needs_its_confirmation(client, families):
    url = token(families, "omar@example.org", "gone/2021-09-sept-oct")
    page = client.get(url)
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)
    done = client.post(url, data={"action": "unsubscribe", "csrf": csrf_of(page)})
    assert done.status_code == 200 and 'value="unsubscribe"' not in done.get_data(as_text=True)
    assert families.get("omar@example.org").status == "unsubscribed"
    assert families.get("omar@example.org", history=True).history[-1].reason == "unsubscribed from all"


@pytest.fixture
def newsletters(tmp_path):
    folder = tmp_path / "newsletters"
    shutil.copytree(ROOT / "newsletters", folder)
    return folder


def test_a_removed_office_s_one_click_link_never_unsubscribes_from_another(families, newsletters):
    client = make_app(families, newsletters).test_client()
    url = token(families, "joe@example.org", "food/2021-09-sept-oct")
    assert "Food and Nutrition Services" in client.get(url).get_data(as_text=True)
    shutil.rmtree(newsletters / "food")                                 # the office stops its newsletter
    history = len(families.get("joe@example.org", history=True).history)
    answer = client.post(url, **ONE_CLICK)
    assert answer.status_code == 200 and "This newsletter no longer exists" in answer.get_data(as_text=True)
    assert nothing_changed(families, "joe@example.org", history)
    assert client.get("/food/").status_code == 404 and client.get("/equity/").status_code == 200


def test_an_office_added_while_the_center_runs_is_served_without_a_restart(families, newsletters):
    client = make_app(families, newsletters).test_client()
    assert client.get("/arts/").status_code == 404
    shutil.copytree(newsletters / "food", newsletters / "arts")
    settings = newsletters / "arts" / "publication.yaml"
    settings.write_text(settings.read_text().replace("slug: food", "slug: arts")
                        .replace("name: Food and Nutrition Services", "name: Arts Office"))
    archive = client.get("/arts/")
    assert archive.status_code == 200 and "Arts Office" in archive.get_data(as_text=True)
    assert client.get("/arts/feed.atom").status_code == 200
    url = token(families, "joe@example.org", "arts/2021-10-nov")
    assert "Arts Office" in client.get(url).get_data(as_text=True)
    assert client.post(url, **ONE_CLICK).status_code == 200
    assert not follows(families, "joe@example.org", "arts")
    assert follows(families, "joe@example.org", "equity") and follows(families, "joe@example.org", "food")
    settings.write_text(settings.read_text().replace("name: Arts Office", "name: Arts and Music Office"))
    assert "Arts and Music Office" in client.get(url).get_data(as_text=True)        # a change is seen too


def test_links_sent_before_publications_belong_to_the_publication_the_upgrade_recorded(store_url, monkeypatch,
                                                                                        run, write_roster):
    from mailer.store.database import make_engine, migrate
    from mailer.store.subscribers import Store
    from mailer.store.tables import subscribers, utcnow
    from tests.old_stores import SEND_LOG_0006
    engine = make_engine(store_url)
    migrate(engine, "0006")                           # a store of the single-publication version
    now = utcnow()
    with engine.begin() as connection:
        sid = connection.execute(insert(subscribers).values(
            email="joe@example.org", language="en", status="subscribed", source="roster.csv", created_at=now,
            updated_at=now)).inserted_primary_key[0]
        connection.execute(insert(SEND_LOG_0006).values(
            issue="2021-09-sept-oct", subscriber_id=sid, email="joe@example.org", language="en", segment="all",
            backend="outbox", status="sent", message_id="<m@x>", created_at=now, updated_at=now))
    engine.dispose()
    monkeypatch.chdir(ROOT)
    from common.settings import Settings                         # they were the food office's newsletters
    told = Settings.from_env({"NEWSLETTER_PUBLICATION": "food"}).legacy_publication
    with Store.open(store_url, publication=told) as store:
        client = make_app(store, ROOT / "newsletters").test_client()
        url = token(store, "joe@example.org", "2021-09-sept-oct")
        assert "Food and Nutrition Services" in client.get(url).get_data(as_text=True)
        assert client.post(url, **ONE_CLICK).status_code == 200
        assert not follows(store, "joe@example.org", "food") and follows(store, "joe@example.org", "equity")
