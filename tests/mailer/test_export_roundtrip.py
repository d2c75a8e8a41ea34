"""`subscribers export` then `subscribers import` of that file: a restore. Unsubscribed, bounced
and complained families stay so (an import never resubscribes), and schools, grades, topics and
publications come back: export -> import into an empty store -> export gives the same file."""
from __future__ import annotations

from tests.mailer.conftest import AUDIENCES

FAMILIES = [
    ["ana@example.org", "Ana Pérez", "Spanish", "Aiken", "2"],
    ["ana@example.org", "Ana Pérez", "Spanish", "Hall", "10"],
    ["omar@example.org", "Omar Haddad", "Arabic", "Hall", "10"],
    ["joe@example.org", "=Joe Smith", "English", "Duffy", "K"],
    ["li@example.org", "Li Wei", "Chinese", "Hogwarts", "Ungraded"],
    ["sam@example.org", "Sam Doe", "English", "Duffy", "3"],
]


def filled(store, run, write_roster):
    from mailer.store.subscriptions import set_subscription
    assert run("subscribers", "import", write_roster(FAMILIES)).exit_code == 0
    store.set_status("ana@example.org", "unsubscribed", by="preferences", reason="unsubscribed from all")
    store.set_status("omar@example.org", "bounced", by="webhook:sendgrid", reason="bounce 550")
    store.set_status("li@example.org", "complained", by="webhook:sendgrid", reason="spamreport")
    store.update_preferences("sam@example.org", language="pt", topics=["events", "foodshare"], schools=["duffy"])
    with store.write() as connection:
        set_subscription(connection, store.get("joe@example.org").id, "food", "unsubscribed", by="link:one-click")


def test_a_round_trip_through_an_empty_store_gives_the_same_file(store, run, write_roster, tmp_path, monkeypatch):
    filled(store, run, write_roster)
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    assert run("subscribers", "export", first).exit_code == 0
    monkeypatch.setenv("NEWSLETTER_DB", f"sqlite:///{tmp_path / 'empty.db'}")
    imported = run("subscribers", "import", first, "--audiences", AUDIENCES)
    assert imported.exit_code == 0, imported.output
    assert "an export of this tool" in imported.output and "added" in imported.output
    assert run("subscribers", "export", second).exit_code == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    from mailer.store.subscribers import Store
    from tests.family_web.conftest import follows
    with Store.open(f"sqlite:///{tmp_path / 'empty.db'}") as restored:
        assert [restored.get(a).status for a in ("ana@example.org", "omar@example.org", "li@example.org")] == \
            ["unsubscribed", "bounced", "complained"]
        ana, sam = restored.get("ana@example.org"), restored.get("sam@example.org")
        assert set(ana.schools) == {"aiken", "hall"} and set(ana.grades) == {"2", "10"}
        assert sam.language == "pt" and sam.topics == ("events", "foodshare") and sam.preferences_at is not None
        assert restored.get("joe@example.org").name == "=Joe Smith"            # the ' the export adds comes off
        assert not follows(restored, "joe@example.org", "food") and follows(restored, "joe@example.org", "equity")
        assert ("school", "Hogwarts") in restored.get("li@example.org").unknown


def test_importing_an_export_never_resubscribes_and_keeps_its_suppressions(store, run, write_roster, tmp_path):
    filled(store, run, write_roster)
    path = tmp_path / "export.csv"
    assert run("subscribers", "export", path).exit_code == 0
    import datetime as dt
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=5)
    store.opt_in("li@example.org", source="signed form", by="cli", at=later)   # the store is newer: kept
    assert run("subscribers", "import", write_roster([["omar@example.org", "Omar", "Arabic", "Hall", "10"]],
                                                     name="other.csv")).exit_code == 0
    with store.write() as connection:
        from sqlalchemy import update
        from mailer.store.tables import subscribers
        connection.execute(update(subscribers).where(subscribers.c.email == "ana@example.org")
                           .values(status="subscribed"))                     # as if the store had lost the opt-out
    again = run("subscribers", "import", path)
    assert again.exit_code == 0, again.output
    assert "ana@example.org: subscribed -> unsubscribed" in again.output
    assert store.get("ana@example.org").status == "unsubscribed"              # the file's suppression is kept
    assert store.get("omar@example.org").status == "bounced"
    assert store.get("li@example.org").status == "subscribed"                  # the store's newer opt-in stays


def test_a_roster_s_columns_the_import_does_not_read_are_named_in_the_report(run, write_roster):
    path = write_roster([["ana@example.org", "Ana", "Spanish", "Aiken", "2", "yes"]],
                        header=("Parent Email", "Parent Name", "Home Language", "School", "Grade", "Photo Consent"))
    result = run("subscribers", "import", path)
    assert result.exit_code == 0
    assert "columns not read, their values are not imported: Photo Consent" in result.output
