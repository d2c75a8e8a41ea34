"""One-click unsubscribe and the preference center, as families and mailbox providers use them."""
from __future__ import annotations

import re

from tests.preferences.conftest import link


def csrf_of(response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_one_click_post_exactly_as_mailbox_providers_send_it(client, families):
    url = link(families, "ana@example.org")
    response = client.post(url, data="List-Unsubscribe=One-Click",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers and "Location" not in response.headers
    assert families.get("ana@example.org").status == "unsubscribed"
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
    sender(issue, families, OutboxBackend(tmp_path, issue.slug)).run(None)
    assert outbox_files(tmp_path / issue.slug)["joe@example.org"].parent.name == "ar"


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
