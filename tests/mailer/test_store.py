"""The store API the sending side uses, on SQLite and PostgreSQL alike."""
from datetime import timezone

import pytest
from sqlalchemy import func, select

from mailer.store import engine as db
from common.errors import StoreError
from mailer.store.rules import All, Any, Condition, Not
from mailer.store.tables import status_history, subscribers
from mailer.store.subscribers import Store, add_subscriber
from mailer.store.writes import replace_values
from mailer.values.topics import TOPICS


def add(store, email, *, language="en", schools=(), grades=(), topics=TOPICS, status="subscribed"):
    with store.write() as connection:
        new_id = add_subscriber(connection, email, status=status, by="test", language=language, consent=True)
        replace_values(connection, "schools", {new_id: schools})
        replace_values(connection, "grades", {new_id: grades})
        replace_values(connection, "topics", {new_id: topics})
    return new_id


@pytest.fixture
def families(store):
    add(store, "ana@example.org", language="es", schools=("aiken",), grades=("3",))
    add(store, "bo@example.org", language="es", schools=("hall", "aiken"), grades=("10", "K"), topics=("events",))
    add(store, "chen@example.org", language="zh", schools=("hall",), grades=("11",), topics=("foodshare",))
    add(store, "dee@example.org", language="en", schools=("duffy",), grades=("1",))
    add(store, "eve@example.org", language="es", schools=("aiken",), grades=("2",), status="unsubscribed")
    add(store, "fay@example.org", language="en", status="bounced")
    return store


def emails(store, rule=None, **kwargs):
    return [r.email for r in store.recipients(rule, **kwargs)]


def test_open_creates_and_migrates_and_reopens(store_url):
    with Store.open(store_url) as first:
        assert db.current_revision(first.engine) == db.head_revision()
    with Store.open(store_url) as again:  # already at head: nothing to do
        assert again.get("nobody@example.org") is None


def test_default_store_is_var_newsletter_db_in_the_current_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSLETTER_DB", raising=False)
    with Store.open() as store:
        store.set_status("a@example.org", "unsubscribed", by="test")
        assert store.description == str(tmp_path / "var" / "newsletter.db")
    assert (tmp_path / "var" / "newsletter.db").is_file()


def test_migrations_match_the_tables(store):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    from mailer.store.tables import metadata
    def ours(name, type_, parents):  # tables of other modules (e.g. the send log) have their own tests
        table = name if type_ == "table" else parents.get("table_name")
        return table is None or table in metadata.tables

    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": ours})
        assert compare_metadata(context, metadata) == []
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == db.head_revision()


def test_bad_url_is_a_plain_error():
    with pytest.raises(StoreError, match="not a database URL"):
        Store.open("not a url")


def test_recipients_are_subscribed_only_ordered_by_id_in_batches(families):
    batches = list(families.recipient_batches(batch_size=2))
    assert [len(b) for b in batches] == [2, 2]
    flat = [r for b in batches for r in b]
    assert [r.email for r in flat] == ["ana@example.org", "bo@example.org", "chen@example.org", "dee@example.org"]
    assert [r.id for r in flat] == sorted(r.id for r in flat)
    bo = flat[1]
    assert (bo.language, bo.schools, bo.topics) == ("es", ("aiken", "hall"), ("events",))
    assert emails(families, after_id=flat[1].id) == ["chen@example.org", "dee@example.org"]


def test_recipients_stream_one_bounded_query_per_batch(families):
    from sqlalchemy import event
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM subscribers" in statement and "ORDER BY subscribers.id" in statement:
            statements.append(parameters)

    event.listen(families.engine, "before_cursor_execute", record)
    try:
        batches = families.recipient_batches(batch_size=3)
        first = next(batches)
        assert len(first) == 3 and len(statements) == 1  # lazy: nothing fetched beyond the first batch
        assert len(list(batches)) == 1
    finally:
        event.remove(families.engine, "before_cursor_execute", record)
    assert len(statements) == 3  # batch of 3, batch of 1, then an empty one ends it


@pytest.mark.parametrize("rule, expected", [
    (Condition("language", ("es",)), ["ana", "bo"]),
    (Condition("school", ("hall",)), ["bo", "chen"]),
    (Condition("grade", ("K", "1")), ["bo", "dee"]),
    (Condition("topic", ("foodshare",)), ["ana", "chen", "dee"]),
    (All((Condition("language", ("es",)), Condition("school", ("aiken",)))), ["ana", "bo"]),
    (Any((Condition("language", ("zh",)), Condition("school", ("duffy",)))), ["chen", "dee"]),
    (Not(Condition("language", ("es",))), ["chen", "dee"]),
    (All((Not(Condition("topic", ("events",))), Any((Condition("grade", ("3",)), Condition("grade", ("11",)))))),
     ["chen"]),
    (Not(All((Condition("language", ("es",)), Condition("grade", ("K",))))), ["ana", "chen", "dee"]),
    (Condition("school", ()), []),
    (None, ["ana", "bo", "chen", "dee"]),
])
def test_segment_rules_run_in_sql(families, rule, expected):
    assert emails(families, rule) == [f"{name}@example.org" for name in expected]


def test_count_per_language_and_school_and_excluded(families):
    counts = families.count()
    assert counts.total == 4
    assert counts.by_language == {"en": 1, "es": 2, "zh": 1}
    assert counts.by_school == {"aiken": 2, "hall": 2, "duffy": 1}
    assert counts.excluded == {"bounced": 1, "unsubscribed": 1}
    spanish = families.count(Condition("language", ("es",)))
    assert (spanish.total, spanish.excluded) == (2, {"unsubscribed": 1})
    aiken = families.count(All((Condition("school", ("aiken",)), Not(Condition("grade", ("K",))))))
    assert (aiken.total, aiken.by_school, aiken.excluded) == (1, {"aiken": 1}, {"unsubscribed": 1})


def test_count_lists_families_without_a_school(store):
    add(store, "x@example.org")
    assert store.count().by_school == {"": 1}


def test_set_status_records_history(families):
    change = families.set_status("ANA@Example.org", "unsubscribed", by="webhook:sendgrid", reason="one-click")
    assert (change.old_status, change.new_status, change.changed_by) == ("subscribed", "unsubscribed",
                                                                         "webhook:sendgrid")
    assert families.set_status("ana@example.org", "unsubscribed", by="cli") is None  # no change, no history
    ana = families.get("ana@example.org", history=True)
    assert ana.status == "unsubscribed"
    assert [(h.old_status, h.new_status, h.changed_by, h.reason) for h in ana.history] == [
        (None, "subscribed", "test", ""), ("subscribed", "unsubscribed", "webhook:sendgrid", "one-click")]
    assert ana.history[-1].changed_at.tzinfo == timezone.utc
    assert "ana@example.org" not in emails(families)


def test_set_status_on_unknown_address_adds_it_suppressed(store):
    store.set_status("new@example.org", "complained", by="webhook:sendgrid", reason="spamreport")
    new = store.get("new@example.org", history=True)
    assert (new.status, new.source, new.consent_at) == ("complained", "webhook:sendgrid", None)
    with pytest.raises(StoreError, match="not in the subscriber store"):
        store.set_status("other@example.org", "bounced", by="x", create=False)
    with pytest.raises(StoreError, match="unknown status"):
        store.set_status("new@example.org", "gone", by="x")


def test_update_preferences(families):
    updated = families.update_preferences("dee@example.org", language="Español", topics=["events", "nutrition"],
                                          schools=["hall"])
    assert (updated.language, updated.topics, updated.schools) == ("es", ("events", "nutrition"), ("hall",))
    assert updated.preferences_at is not None
    with pytest.raises(StoreError, match="unknown topic"):
        families.update_preferences("dee@example.org", topics=["gossip"])
    with pytest.raises(StoreError, match="unknown language"):
        families.update_preferences("dee@example.org", language="Klingon")
    with pytest.raises(StoreError, match="not in the subscriber store"):
        families.update_preferences("zed@example.org", language="es")


def test_email_is_unique_whatever_the_case(families):
    from sqlalchemy.exc import IntegrityError
    with pytest.raises(IntegrityError):
        add(families, "ana@example.org")
    with families.read() as connection:
        assert connection.execute(select(func.count()).select_from(subscribers)).scalar() == 6
        assert connection.execute(select(func.count()).select_from(status_history)).scalar() == 6


def test_migration_0005_keeps_every_topic_as_a_flag(store_url):
    """Families who never chose and have all six topic rows follow every topic without rows."""
    from mailer.store.tables import subscriber_topics, utcnow
    with Store.open(store_url, migrate=False) as old:
        db.migrate(old.engine, "0004")
        with old.engine.begin() as connection:
            for email, chosen, topics in (("all@example.org", None, TOPICS), ("chose@example.org", utcnow(), TOPICS),
                                          ("some@example.org", None, ("events", "nutrition"))):
                new_id = connection.execute(subscribers.insert().values(
                    email=email, language="en", status="subscribed", source="test", preferences_at=chosen,
                    created_at=utcnow(), updated_at=utcnow())).inserted_primary_key[0]
                connection.execute(subscriber_topics.insert(), [{"subscriber_id": new_id, "topic": t} for t in topics])
                connection.execute(status_history.insert().values(subscriber_id=new_id, new_status="subscribed",
                                                                  changed_by="test", changed_at=utcnow(), reason=""))
        db.migrate(old.engine)
        assert [len(s.history) for s in (old.get(e, history=True) for e in ("all@example.org", "chose@example.org"))] \
            == [1, 1]  # nothing cascaded away (a batch copy of subscribers would delete them on SQLite)
        assert [(s.email, s.all_topics, s.topics) for s in old.subscribers()] == [
            ("all@example.org", True, tuple(sorted(TOPICS))), ("chose@example.org", False, tuple(sorted(TOPICS))),
            ("some@example.org", False, ("events", "nutrition"))]
        with old.read() as connection:
            assert connection.execute(select(func.count()).select_from(subscriber_topics)).scalar() == 8


def test_every_topic_flag_matches_every_topic_rule(store):
    from mailer.store.tables import utcnow
    with store.write() as connection:
        new_id = add_subscriber(connection, "all@example.org", status="subscribed", by="test")
        connection.execute(subscribers.update().where(subscribers.c.id == new_id).values(all_topics=True))
    add(store, "some@example.org", topics=("events",))
    assert emails(store, Condition("topic", ("foodshare",))) == ["all@example.org"]
    assert emails(store, Not(Condition("topic", ("events",)))) == []
    assert emails(store, Condition("topic", ())) == []
    assert [r.topics for r in store.recipients()] == [tuple(sorted(TOPICS)), ("events",)]
    chose = store.update_preferences("all@example.org", topics=["nutrition"])
    assert (chose.all_topics, chose.topics, chose.preferences_at <= utcnow()) == (False, ("nutrition",), True)
    assert emails(store, Condition("topic", ("foodshare",))) == []


def test_count_lists_unknown_values_on_their_own(families):
    from mailer.store.writes import replace_unknown
    whiting = add(families, "gus@example.org", language="es", grades=("2",))
    both = add(families, "hal@example.org", schools=("aiken",))
    with families.write() as connection:
        replace_unknown(connection, ("school", "grade"), {whiting: [("school", "Whiting Lane")],
                                                          both: [("school", "Whiting Lane"), ("grade", "UG")]})
    counts = families.count()
    assert counts.total == 6
    assert counts.by_school == {"aiken": 3, "hall": 2, "duffy": 1}  # gus is not "no school"
    assert counts.unknown == {"grade": {"UG": 1}, "school": {"Whiting Lane": 2}}
    assert families.count(Condition("language", ("es",))).unknown == {"school": {"Whiting Lane": 1}}
    assert "gus@example.org" not in emails(families, Condition("school", ("aiken", "duffy", "hall")))
    assert families.get("hal@example.org").unknown == (("grade", "UG"), ("school", "Whiting Lane"))
