"""The pages, the language menu and the emails agree on a family's language: one rule (the send's,
mailer.send.routing.matching_language), for every code a roster can give and every chrome catalog;
saving the page keeps the stored language unless the family picked another."""
from __future__ import annotations

import re

from sqlalchemy import update

from blocks.i18n import chrome
from blocks.loader import load_issue
from mailer.send.routing import Router
from mailer.store.tables import subscribers
from mailer.values.languages import LANGUAGES, language_code
from tests.conftest import SAMPLE
from tests.family_web.conftest import link


def roster_codes() -> set[str]:
    """Every language code an import can store: each name and code the roster import accepts, and
    every language with a chrome catalog."""
    return {language_code(name) for code, names in LANGUAGES.items() for name in (code, *names)} | \
        set(chrome.available())


def selected(page: str) -> list[str]:
    menu = re.search(r'<select id="language".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"[^>]*\sselected>', menu)


def form_of(page: str, language: str) -> dict:
    """What a browser posts from the page as shown, with the first ticked topic unticked."""
    topics = re.findall(r'name="topics" value="([^"]+)" checked', page)
    return {"csrf": re.search(r'name="csrf" value="([^"]+)"', page).group(1), "action": "save",
            "language": language, "topics": topics[1:],
            "schools": re.findall(r'name="schools" value="([^"]+)" checked', page)}


def test_every_roster_language_gets_its_pages_menu_and_emails_in_one_language(client, families):
    publication = load_issue(SAMPLE).publication
    router = Router(load_issue(SAMPLE))
    for code in sorted(roster_codes()):
        with families.write() as connection:
            connection.execute(update(subscribers).where(subscribers.c.email == "joe@example.org")
                               .values(language=code, preferences_at=None))
        url = link(families, "joe@example.org", "p")
        page = client.get(url).get_data(as_text=True)
        base = code.split("_")[0]
        offered = [lang for lang in publication.languages if lang.split("_")[0] == base]
        expected = offered[0] if offered else "en"            # the publication has one script per language
        shown = re.search(r'<html lang="([^"]+)"', page).group(1).replace("-", "_")
        assert shown == expected, code
        assert chrome.translations(expected).gettext("Save my choices") in page, code
        assert selected(page) == [expected], code                        # the menu shows it chosen
        if router.matching(code):                                        # the send's rule, the same answer
            assert router.matching(code) == expected, code
        unsubscribe = client.get(link(families, "joe@example.org")).get_data(as_text=True)
        assert f'<html lang="{expected.replace("_", "-")}"' in unsubscribe, code
        saved = client.post(url, data=form_of(page, selected(page)[0]))
        assert saved.status_code == 200, code
        joe = families.get("joe@example.org")
        assert joe.language == code, code                                # saving a topic kept the language
        assert selected(saved.get_data(as_text=True)) == [expected], code


def test_a_chinese_family_stays_chinese_and_can_still_choose_english(client, families):
    with families.write() as connection:
        connection.execute(update(subscribers).where(subscribers.c.email == "joe@example.org").values(language="zh"))
    url = link(families, "joe@example.org", "p")
    page = client.get(url).get_data(as_text=True)
    assert '<html lang="zh-Hans"' in page and "保存" in page and selected(page) == ["zh_Hans"]
    client.post(url, data=form_of(page, "zh_Hans"))
    assert families.get("joe@example.org").language == "zh"
    client.post(url, data=form_of(client.get(url).get_data(as_text=True), "en"))     # a real choice is kept
    assert families.get("joe@example.org").language == "en"
