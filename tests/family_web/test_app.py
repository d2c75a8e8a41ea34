"""One-click unsubscribe and the preference center, as families and mailbox providers use them."""
from __future__ import annotations

import re

import pytest

from tests.family_web.conftest import follows, link


def csrf_of(response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_one_click_post_exactly_as_mailbox_providers_send_it(client, families):
    url = link(families, "ana@example.org")
    response = client.post(url, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Location" not in response.headers
    assert not follows(families, "ana@example.org")                           # leaves this publication only
    assert families.get("ana@example.org").status == "subscribed"
    history = families.get("ana@example.org", history=True).history
    assert history[-1].changed_by == "link:one-click"
    again = client.post(url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert again.status_code == 200                                          # idempotent
    assert len(families.get("ana@example.org", history=True).history) == len(history)


def test_get_never_unsubscribes_and_asks_in_the_familys_language(client, families):
    response = client.get(link(families, "ana@example.org"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and families.get("ana@example.org").status == "subscribed"
    assert '<html lang="es" dir="ltr">' in page and "Sí, cancelar mi suscripción" in page
    assert 'name="List-Unsubscribe" value="One-Click"' in page and "Set-Cookie" not in response.headers


def test_arabic_pages_are_right_to_left(client, families):
    page = client.get(link(families, "omar@example.org", "p")).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "احفظ اختياراتي" in page
    assert "مكتب تعزيز الإنصاف" in page                      # the publication's name, translated


def test_english_in_an_arabic_name_reads_as_one_left_to_right_unit(client, families):
    """"مكتب تعزيز الإنصاف (Office of Equity Advancement)" in a right-to-left header scrambled
    its words and brackets where a phone's line wrapped; the English part is now isolated,
    in the header and in the unsubscribe page's sentences, as in the emails. Unlike the emails'
    it may wrap (kept on one line, the heading was 416 px wide on a 320 px phone:
    test_page_widths.py), its words and brackets in order on each line."""
    isolated = '<span dir="ltr">\u2066(Office of Equity Advancement)\u2069</span>'
    page = client.get(link(families, "omar@example.org", "p")).get_data(as_text=True)
    header = re.search(r"<header>.*?</header>", page, re.S).group(0)
    assert "مكتب تعزيز الإنصاف " + isolated in header
    asked = client.get(link(families, "omar@example.org")).get_data(as_text=True)
    assert isolated in re.search(r"<h1>.*?</h1>", asked, re.S).group(0)
    english = client.get(link(families, "joe@example.org", "p")).get_data(as_text=True)
    assert "\u2066" not in english and 'dir="ltr" style' not in english      # left-to-right pages are as they were


def test_language_switcher(client, families):
    page = client.get(link(families, "joe@example.org", "p") + "?lang=pt").get_data(as_text=True)
    assert '<html lang="pt" dir="ltr">' in page and "Salvar minhas escolhas" in page
    assert 'hreflang="ar"' in page and ">العربية<" in page


def test_tampered_and_unknown_tokens_get_a_friendly_404(client, families):
    url = link(families, "ana@example.org")
    for bad in (url[:-3] + "xyz", "/u/nonsense", link(families, "ana@example.org", "u").replace("/u/", "/p/")):
        response = client.get(bad)
        assert response.status_code == 404 and "This link is not valid" in response.get_data(as_text=True)
    assert client.post(url[:-3] + "xyz", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    assert families.get("ana@example.org").status == "subscribed"


def test_preferences_persist_and_apply_to_the_next_send(client, families, tmp_path):
    url = link(families, "joe@example.org", "p")
    form = {"csrf": csrf_of(client.get(url)), "action": "save", "language": "ar",
            "topics": ["events", "foodshare"], "schools": ["duffy", "hall"]}
    response = client.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'lang="ar"' in page and "تم حفظ اختياراتك." in page
    joe = families.get("joe@example.org")
    assert joe.language == "ar" and joe.topics == ("events", "foodshare") and set(joe.schools) == {"duffy", "hall"}
    from tests.mailer.test_send import outbox_files, sender
    from blocks.loader import load_issue
    from mailer.backends.outbox import OutboxBackend
    from tests.conftest import SAMPLE
    issue = load_issue(SAMPLE)
    sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    assert outbox_files(tmp_path / issue.key)["joe@example.org"].parent.name == "ar"


def test_forms_without_a_valid_csrf_token_are_refused(client, families):
    url = link(families, "joe@example.org", "p")
    other = csrf_of(client.get(link(families, "ana@example.org", "p")))
    for token in ("", "forged", other):
        response = client.post(url, data={"csrf": token, "action": "unsubscribe"})
        assert response.status_code == 400
    assert families.get("joe@example.org").status == "subscribed"


def test_unsubscribe_from_everything_then_subscribe_again(client, families):
    url = link(families, "ana@example.org", "p")
    client.post(url, data={"csrf": csrf_of(client.get(url)), "action": "unsubscribe"})
    assert families.get("ana@example.org").status == "unsubscribed"
    page = client.get(url).get_data(as_text=True)
    assert "Suscribirme de nuevo" in page
    client.post(url, data={"csrf": csrf_of(client.get(url)), "action": "resubscribe"})
    assert families.get("ana@example.org").status == "subscribed"


def forged_form_token(subscriber_id: int) -> str:
    """What a family could post from an old page, or by hand: a valid form token."""
    from itsdangerous import TimestampSigner
    from tests.family_web.conftest import SIGNER
    return TimestampSigner(SIGNER.secret, salt="newsletter-preferences-form").sign(str(subscriber_id)).decode()


ONE_CLICK = {"data": "List-Unsubscribe=One-Click", "content_type": "application/x-www-form-urlencoded"}


def test_links_never_lift_a_bounce_or_a_complaint(client, families):
    families.set_status("ana@example.org", "bounced", by="webhook:sendgrid", reason="bounce 550")
    families.set_status("omar@example.org", "complained", by="webhook:sendgrid", reason="spamreport")
    for address, status in (("ana@example.org", "bounced"), ("omar@example.org", "complained")):
        history = len(families.get(address, history=True).history)
        assert client.post(link(families, address), **ONE_CLICK).status_code == 200
        url, csrf = link(families, address, "p"), forged_form_token(families.get(address).id)   # no form shown
        for action in ("resubscribe", "unsubscribe", "resubscribe"):
            assert client.post(url, data={"csrf": csrf, "action": action}).status_code == 200
        assert families.get(address).status == status
        assert len(families.get(address, history=True).history) == history


def test_a_bounced_family_is_told_what_happened_in_their_language(client, families):
    families.set_status("ana@example.org", "bounced", by="webhook:sendgrid", reason="bounce 550")
    page = client.get(link(families, "ana@example.org", "p")).get_data(as_text=True)
    assert "No se pudieron entregar los correos a esta dirección" in page
    assert "pida a la escuela de su hijo o hija que actualice" in page
    assert 'value="resubscribe"' not in page and 'value="unsubscribe"' not in page


def test_a_family_who_complained_is_told_how_to_opt_in_again(client, families):
    families.set_status("omar@example.org", "complained", by="webhook:sendgrid", reason="spamreport")
    page = client.get(link(families, "omar@example.org", "p")).get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page and "سبام" in page and "راسل المكتب" in page
    assert 'href="mailto:equity@example.org"' in page and 'value="resubscribe"' not in page
    english = client.get(link(families, "omar@example.org", "p") + "?lang=en").get_data(as_text=True)
    assert "reported as spam" in english and "note the date of your request" in english


def test_the_store_records_a_fresh_opt_in_with_time_and_source(families):
    import datetime as dt
    families.set_status("omar@example.org", "complained", by="webhook:sendgrid", reason="spamreport")
    when = dt.datetime(2026, 11, 30, 15, 0, tzinfo=dt.timezone.utc)
    change = families.opt_in("omar@example.org", source="signed form at Hall High", by="cli", at=when)
    omar = families.get("omar@example.org", history=True)
    assert change.old_status == "complained" and omar.status == "subscribed" and omar.consent_at == when
    assert omar.history[-1].reason == "explicit opt-in at 2026-11-30T15:00+00:00: signed form at Hall High"
    from common.errors import StoreError
    for address, source in (("joe@example.org", " "), ("nobody@example.org", "phone call")):
        with pytest.raises(StoreError):
            families.opt_in(address, source=source, by="cli")


def test_subscribe_again_twice_keeps_the_familys_choices(client, families):
    url = link(families, "joe@example.org", "p")
    client.post(url, data={"csrf": csrf_of(client.get(url)), "action": "save", "language": "pt",
                           "topics": ["events"], "schools": ["duffy"]})
    client.post(url, data={"csrf": csrf_of(client.get(url)), "action": "unsubscribe"})
    before = families.get("joe@example.org")
    form = {"csrf": csrf_of(client.get(url)), "action": "resubscribe"}
    first, second = client.post(url, data=form), client.post(url, data=form)      # a double click
    assert first.status_code == second.status_code == 200
    joe = families.get("joe@example.org", history=True)
    assert joe.status == "subscribed" and [h.new_status for h in joe.history].count("subscribed") == 2
    assert (joe.language, joe.topics, joe.schools, joe.preferences_at) == \
        (before.language, before.topics, before.schools, before.preferences_at)


@pytest.mark.parametrize("form", [
    {"action": "delete-everything"}, {}, {"action": ""},
    {"action": "save", "language": "Klingon"}, {"action": "save", "language": "<script>alert(1)</script>"},
    {"action": "save", "language": "x" * 5000}, {"action": "save"},
    {"action": "save", "language": "es", "topics": ["events", "bitcoin"]},
    {"action": "save", "language": "es", "schools": ["hogwarts"]},
])
def test_values_not_on_the_page_are_a_friendly_400_and_change_nothing(client, families, caplog, form):
    url = link(families, "ana@example.org", "p")
    before = families.get("ana@example.org", history=True)
    response = client.post(url, data={"csrf": csrf_of(client.get(url)), **form})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "No pudimos guardar sus preferencias" in page
    assert f'href="{url}"' in page and "<script>alert" not in page and "Klingon" not in page
    assert families.get("ana@example.org", history=True) == before
    assert "Klingon" not in caplog.text and "<script>" not in caplog.text and "x" * 100 not in caplog.text


@pytest.mark.parametrize("body, content_type", [
    ("", "application/x-www-form-urlencoded"), ("List-Unsubscribe=Yes", "application/x-www-form-urlencoded"),
    ('{"List-Unsubscribe": "One-Click"}', "application/json"), ("\xff\xfe", "text/plain")])
def test_a_wrong_one_click_body_is_a_400_that_says_what_to_do(client, families, body, content_type):
    url = link(families, "ana@example.org")
    response = client.post(url, data=body, content_type=content_type)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "This form has expired" not in page
    assert "Confirme en la página para cancelar la suscripción" in page and f'href="{url}"' in page
    assert families.get("ana@example.org").status == "subscribed"


def test_one_click_is_one_transaction_with_its_event(client, families):
    from sqlalchemy import select
    from mailer.store.delivery_events import delivery_events
    url = link(families, "joe@example.org")
    for _ in range(3):
        assert client.post(url, **ONE_CLICK).status_code == 200
    with families.read() as connection:
        rows = connection.execute(select(delivery_events.c.event, delivery_events.c.provider)).all()
    assert [tuple(r) for r in rows] == [("unsubscribe", "link")]


def test_health_check(client, families):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_error_pages_are_not_500s(client, families):
    assert client.get("/p/").status_code == 404
    assert client.get("/u/" + "A" * 5000).status_code == 404
    assert client.get(link(families, "ana@example.org") + "?lang=" + "<b>" * 100).status_code == 200
    assert client.post(link(families, "ana@example.org", "p"), data=b"\x00\xff" * 10,
                       content_type="multipart/form-data; boundary=zz").status_code == 400
