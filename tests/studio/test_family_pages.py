"""Families, for staff: a sender finds a family by address or name, sees what it gets and its
history, unsubscribes it (one publication, then everything) and opts it in again with the source
recorded; a roster upload is a dry run first (unknown schools, merged and rejected rows), written
only by a second confirmed POST of the same session and the same file; editors and translators
are refused; every change is in the audit log."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import ROOT
from tests.studio.conftest import SECRET, add_staff, csrf, sign_in


@pytest.fixture
def family_app(newsletters, studio_store, clock, tmp_path):
    from common.settings import Settings
    from studio.app import create_app
    from studio.send_pages import SendDesk
    from studio.studio_settings import StudioSettings
    from workflows import family_records

    shutil.copy(ROOT / "audiences.yaml", newsletters.parent / "audiences.yaml")
    core = Settings.from_env({}, db=studio_store.url)
    family_records.import_roster(core, ROOT / "tests" / "fixtures" / "roster_sample.csv", skip_invalid=True)
    add_staff(studio_store, clock, "eve@example.org")                                     # equity editor
    add_staff(studio_store, clock, "sam@example.org", role="sender")                      # equity sender
    add_staff(studio_store, clock, "tina@example.org", role="translator")
    add_staff(studio_store, clock, "ada@example.org", role="admin")
    app = create_app(StudioSettings(secret_key=SECRET), store=studio_store, newsletters_dir=newsletters, clock=clock,
                     sending=SendDesk(core))
    app.config.update(core=core, family_uploads=tmp_path / "uploads")
    return app


def client_of(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    client.token = csrf(client.get("/").get_data(as_text=True))
    return client


def _alert(answer) -> str:
    found = re.search(r'role="alert">([^<]*)<', answer.get_data(as_text=True))
    return found[1] if found else ""


def _actions(app) -> list[tuple[str, str, str]]:
    from studio import audit
    return [(e.actor, e.action, e.detail) for e in audit.entries(app.config["studio"].store)]


def test_a_sender_finds_a_family_unsubscribes_it_and_opts_it_in_again(family_app):
    from workflows import family_records
    core = family_app.config["core"]
    sam = client_of(family_app, "sam@example.org")
    assert "/families/" in sam.get("/").get_data(as_text=True)

    by_address = sam.get("/families/?q=JEAN.BEGIC1").get_data(as_text=True)
    assert "jean.begic1@example.org" in by_address and "1 family found" in by_address
    by_name = sam.get("/families/?q=wei patel").get_data(as_text=True)
    assert "wei.patel2@example.net" in by_name
    assert "Nobody" in sam.get("/families/?q=no-such-person").get_data(as_text=True)
    link = re.search(r'href="(/families/\d+)">wei.patel2@example.net', by_name)[1]

    page = sam.get(link).get_data(as_text=True)
    assert re.search(r'id="status">subscribed<', page)
    gets = re.search(r'id="gets">([^<]*)<', page)[1]
    assert "equity" in gets, gets
    assert "Wei Patel" in page and "History" in page

    answer = sam.post(f"{link}/unsubscribe", data={"csrf_token": sam.token, "publication": "equity",
                                                   "reason": "phone call, 2021-10-20"})
    assert answer.status_code == 302
    page = sam.get(answer.location).get_data(as_text=True)
    assert "equity" not in re.search(r'id="gets">([^<]*)<', page)[1]
    assert re.search(r'id="status">subscribed<', page)                      # the other publications stay
    assert "phone call, 2021-10-20" in page

    assert sam.post(f"{link}/unsubscribe", data={"csrf_token": sam.token, "publication": "",
                                                 "reason": "phone call"}).status_code == 302
    page = sam.get(link).get_data(as_text=True)
    assert re.search(r'id="status">unsubscribed<', page)
    assert family_records.show(core, "wei.patel2@example.net")[0].status == "unsubscribed"

    refused = sam.post(f"{link}/opt-in", data={"csrf_token": sam.token, "source": " "})
    assert refused.status_code == 400 and "how the family asked" in _alert(refused).lower()
    assert family_records.show(core, "wei.patel2@example.net")[0].status == "unsubscribed"
    answer = sam.post(f"{link}/opt-in", data={"csrf_token": sam.token, "source": "phone call to the office, 2021-10-21",
                                              "publication": "equity"})
    assert answer.status_code == 302
    found, gets = family_records.show(core, "wei.patel2@example.net")
    assert found.status == "subscribed" and gets["equity"]
    assert any(h.reason == "phone call to the office, 2021-10-21" and h.changed_by == "studio:sam@example.org"
               for h in found.history)
    assert "phone call to the office, 2021-10-21" in sam.get(link).get_data(as_text=True)

    actions = [(actor, action) for actor, action, _ in _actions(family_app)]
    assert actions.count(("sam@example.org", "family-unsubscribe")) == 2
    assert ("sam@example.org", "family-opt-in") in actions
    assert sam.post(f"{link}/unsubscribe", data={"publication": ""}).status_code == 400       # no CSRF token
    assert sam.get("/families/999999").status_code == 404


def test_only_senders_and_admins_open_the_family_pages(family_app):
    for email in ("eve@example.org", "tina@example.org"):
        client = client_of(family_app, email)
        assert "/families/" not in client.get("/").get_data(as_text=True)
        for path in ("/families/?q=example", "/families/1", "/families/roster"):
            assert client.get(path).status_code == 403, (email, path)
        for path in ("/families/1/unsubscribe", "/families/1/opt-in", "/families/roster", "/families/roster/apply"):
            assert client.post(path, data={"csrf_token": client.token}).status_code == 403, (email, path)
    ada = client_of(family_app, "ada@example.org")
    assert "wei.patel2@example.net" in ada.get("/families/?q=patel").get_data(as_text=True)


ROSTER = (
    "Parent Email,Parent Name,Home Language,School,Grade\n"
    "new.one@example.org,New One,Spanish,Aiken Elementary School,2\n"
    "new.one@example.org,New One,Spanish,King Philip Middle School,6\n"         # merged with the row above
    "new.two@example.org,New Two,English,Hogwarts School,3\n"                  # a school nobody knows
    "not an address,Bad Row,English,Aiken Elementary School,1\n"                # rejected
)


def _upload(client, content: bytes = ROSTER.encode(), name: str = "roster.csv", skip_invalid: bool = True, **choices):
    import io
    data = {"csrf_token": client.token, "roster": (io.BytesIO(content), name), **choices}
    if skip_invalid:
        data["skip_invalid"] = "yes"
    return client.post("/families/roster", data=data, content_type="multipart/form-data")


def test_a_roster_is_a_dry_run_first_then_applied_by_a_second_confirmed_post(family_app, tmp_path):
    from workflows import family_records
    core = family_app.config["core"]
    sam = client_of(family_app, "sam@example.org")

    dry = _upload(sam)
    page = dry.get_data(as_text=True)
    assert dry.status_code == 200, _alert(dry)
    assert "dry run, nothing written yet" in page and "Dry run: nothing was written." in page
    assert "Hogwarts School" in re.search(r'id="unknown-schools".*?</ul>', page, re.S)[0]
    assert "new.one@example.org: rows 2, 3 are one family" in page
    assert "row 5" in re.search(r'id="rejected".*?</ul>', page, re.S)[0]
    assert family_records.find(core, "new.one") == []                       # nothing written
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    [kept] = (tmp_path / "uploads").iterdir()

    unconfirmed = sam.post("/families/roster/apply", data={"csrf_token": sam.token, "token": token})
    assert unconfirmed.status_code == 400 and family_records.find(core, "new.one") == []
    other = client_of(family_app, "ada@example.org")                        # another session, the same token
    stolen = other.post("/families/roster/apply", data={"csrf_token": other.token, "token": token, "confirm": "yes"})
    assert stolen.status_code == 409 and family_records.find(core, "new.one") == []

    kept.write_bytes(kept.read_bytes() + b"evil@example.org,Evil,English,Aiken Elementary School,1\n")
    changed = sam.post("/families/roster/apply", data={"csrf_token": sam.token, "token": token, "confirm": "yes"})
    assert changed.status_code == 409 and "changed" in _alert(changed)
    assert family_records.find(core, "evil") == [] and family_records.find(core, "new.one") == []

    page = _upload(sam).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    done = sam.post("/families/roster/apply", data={"csrf_token": sam.token, "token": token, "confirm": "yes"})
    assert done.status_code == 200, _alert(done)
    assert "Imported into" in done.get_data(as_text=True)
    assert [f.email for f in family_records.find(core, "new.")] == ["new.one@example.org", "new.two@example.org"]
    assert len(family_records.show(core, "new.one@example.org")[0].schools) == 2     # its two rows, one family
    assert list((tmp_path / "uploads").iterdir()) == []                    # the file is gone once applied
    again = sam.post("/families/roster/apply", data={"csrf_token": sam.token, "token": token, "confirm": "yes"})
    assert again.status_code == 409                                         # applied once only
    assert any(action == "roster-import" and "roster.csv" in detail for _, action, detail in _actions(family_app))


def test_a_roster_with_bad_rows_and_no_skip_cannot_be_applied_and_wrong_files_are_refused(family_app):
    sam = client_of(family_app, "sam@example.org")
    page = _upload(sam, skip_invalid=False).get_data(as_text=True)
    assert "Rows need fixing" in page and "Import for real" not in page
    wrong = _upload(sam, b"%PDF-1.4", name="roster.pdf")
    assert wrong.status_code == 400 and ".xlsx" in _alert(wrong)
    family_app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    big = _upload(sam, ROSTER.encode() + b"x" * (2 * 1024 * 1024))
    assert big.status_code == 413 and "larger than 2 MB" in _alert(big)
    broken = _upload(sam, b"just one column\nand nothing useful\n")
    assert broken.status_code == 400 and _alert(broken)


def test_an_xlsx_roster_on_its_second_sheet_with_other_column_names_is_read_as_chosen(family_app, newsletters):
    import io

    from openpyxl import Workbook

    from workflows import family_records
    core = family_app.config["core"]
    book = Workbook()
    book.active.title = "Notes"
    book.active.append(["This export was made on Monday"])
    sheet = book.create_sheet("Families")
    sheet.append(["Correo del tutor", "Tutor", "Idioma", "Building", "Grade"])
    sheet.append(["xl.one@example.org", "Xl One", "Spanish", "Aiken Elementary School", "2"])
    sheet.append(["xl.two@example.org", "Xl Two", "Arabic", "Hall High School", "10"])
    content = io.BytesIO()
    book.save(content)
    food = newsletters / "food" / "publication.yaml"                         # families get it only when subscribed
    food.write_text(food.read_text(encoding="utf-8").replace("default_subscribe: true", "default_subscribe: false"),
                    encoding="utf-8")
    sam = client_of(family_app, "sam@example.org")

    first = _upload(sam, content.getvalue(), name="export.xlsx")                 # the first sheet has no roster
    assert first.status_code == 400 and "Families" in _alert(first) and "--sheet" not in _alert(first)
    assert _alert(first).startswith("export.xlsx: no email column found")                # its own name
    assert "Worksheet" in first.get_data(as_text=True)
    unnamed = _upload(sam, content.getvalue(), name="export.xlsx", sheet="Families")
    assert unnamed.status_code == 400 and "Email column" in _alert(unnamed) and "--map" not in _alert(unnamed)
    assert 'name="sheet" autocomplete="off" value="Families"' in unnamed.get_data(as_text=True)     # kept to fix
    dry = _upload(sam, content.getvalue(), name="export.xlsx", sheet="Families", publication="food",
                  column_email="Correo del tutor", column_name="Tutor", column_language="Idioma")
    page = dry.get_data(as_text=True)
    assert dry.status_code == 200, _alert(dry)
    assert "dry run, nothing written yet" in page and family_records.find(core, "xl.") == []
    token = re.search(r'name="token" value="([^"]+)"', page)[1]
    done = sam.post("/families/roster/apply", data={"csrf_token": sam.token, "token": token, "confirm": "yes"})
    assert done.status_code == 200, _alert(done)
    found = {f.email: f for f in family_records.find(core, "xl.")}
    assert sorted(found) == ["xl.one@example.org", "xl.two@example.org"]
    assert found["xl.one@example.org"].name == "Xl One"
    family, follows = family_records.show(core, "xl.two@example.org")
    assert family.language == "ar" and follows == {"equity": True, "food": True}     # "Idioma"; food ticked
