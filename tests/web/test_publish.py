"""mailer/publish/: the publication's slug, an edition made fit for a browser, and what a send
publishes into the store (first sends, replacements, nothing for a language nobody got again)."""
from __future__ import annotations

import pytest

from blocks.loader import load_issue
from blocks.record import Record
from blocks.render import render_issue
from common.errors import ConfigError
from mailer.publish import published_editions as stored
from mailer.publish.naming import own_name, publication_slug, tag, web_base
from family_web.browser_edition import for_browser
from tests.conftest import SAMPLE


def test_the_publication_slug_and_web_address():
    assert publication_slug(Record(name="Office of Equity Advancement", slug="equity")) == "equity"
    assert publication_slug(Record(name="Oficina de Equidad: Familias", slug=None)) == "oficina-de-equidad-familias"
    with pytest.raises(ConfigError, match="the preference center uses itself") as caught:
        publication_slug(Record(name="P", slug="p"))
    assert caught.value.setting == "slug"
    assert web_base(Record(name="X", slug="equity", web_base_url=None), "https://n.example.org/") == \
        "https://n.example.org/equity"
    assert web_base(Record(name="X", slug="equity", web_base_url="https://static.example.org/eq/"), "https://n") == \
        "https://static.example.org/eq"
    assert tag("zh_Hans") == "zh-Hans" and own_name("es") == "Español" and own_name("vi") == "Tiếng Việt"


def test_check_refuses_a_slug_that_cannot_be_in_an_address(make_issue, tmp_path, run):
    folder = make_issue("title: T\nperiod: P\nsubject: S\npreheader: H\nblocks:\n  - {type: text, id: t, body: Hi}\n")
    settings = tmp_path / "newsletters" / "equity" / "publication.yaml"
    settings.write_text(settings.read_text().replace("slug: equity", "slug: Equity Office"))
    result = run("check", folder)
    assert result.exit_code == 1 and "slug: 'Equity Office' cannot be part of a web address" in result.output


def test_a_web_edition_has_no_per_family_value_and_a_neutral_greeting(sample_issue):
    from blocks.i18n import chrome
    from blocks.i18n.localize import localize
    html = render_issue(localize(sample_issue, "es"), "es", web_url="https://n.example.org/equity/x").html
    assert "__PREFERENCES_URL__" in html and "__UNSUBSCRIBE_URL__" in html
    page = for_browser(html, "es")
    assert "__" not in page.body and "Cancelar la suscripción" not in page.body
    assert "@media" in page.styles and "background-color: #eef1f4" in page.body_style
    greeting_text = chrome.greeting("es", None)
    greeting = for_browser(html.replace("</body>", "<p>__GREETING__ __FIRST_NAME__</p></body>"), "es")
    assert f"<p>{greeting_text} </p>" in greeting.body


def test_a_send_publishes_each_edition_once_and_replaces_only_the_languages_it_delivers(store):
    issue = load_issue(SAMPLE)
    web_url = "https://n.example.org/equity/2021-09-sept-oct"

    def rendered(title: str) -> dict:
        return {lang: stored.Rendered(render_issue(issue, lang, web_url=web_url), stored.edition_kind(issue, lang),
                                      title, "P") for lang in ("en", "es")}

    assert stored.publish(store, "equity", issue, web_url, rendered("First"), {"en"}) == ["en", "es"]
    assert stored.publish(store, "equity", issue, web_url, rendered("Second"), {"es"}) == ["es"]
    assert stored.publish(store, "equity", issue, web_url, rendered("Third"), set()) == []
    found = {e.lang: e for e in stored.editions(store, "equity", issue.slug)}
    assert (found["en"].title, found["es"].title) == ("First", "Second")
    assert found["en"].kind == "original" and found["es"].kind == "human"       # approved translations
    assert found["es"].published_at < found["es"].updated_at
    files = stored.files(store, "equity", issue.slug)
    assert {f.name for f in files} == {"kickoff-en.ics", "foodshare-october-en.ics", "kickoff-es.ics",
                                       "foodshare-october-es.ics"}
    assert {f.block_type for f in files} == {"event", "foodshare_calendar"}
    assert stored.web_file(store, "equity", issue.slug, "kickoff-en.ics").title == "One Community for Equity " \
        "Virtual Kick Off"
    assert stored.edition(store, "equity", issue.slug, "es").lang == "es"
    assert stored.listed_issues(store, "equity") == []                         # no family got it yet
    assert [e.lang for e in stored.listed_issues(store, "equity", also=(issue.slug,))[0]] == ["en", "es"]
