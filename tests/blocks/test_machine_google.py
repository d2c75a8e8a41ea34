"""The second provider, Google Cloud Translation (blocks/i18n/machine/google.py), and the
publication's provider order (machine_providers: [deepl, google]), against the local DeepL and
Google stubs on 127.0.0.1: each language goes to the first provider offering it, a language
none offers is reported and never filled, key errors name the setting, links and tokens
survive, and a rerun costs nothing."""
from __future__ import annotations

import json
import re

import polib
import pytest
from click.testing import CliRunner

from blocks.i18n import catalogs
from blocks.i18n.localize import localize
from blocks.i18n.machine.glossary import Glossary
from blocks.i18n.machine.google import GoogleTranslate
from blocks.i18n.machine.run import plan, run
from blocks.i18n.status import language_status
from blocks.loader import load_issue
from blocks.render import render_issue
from common.errors import ConfigError, NewsletterError, ProviderError, TransientError
from compose import cli
from tests.deepl_stub import DeepLStub
from tests.google_stub import LANGUAGES, GoogleStub
from tests.blocks.test_machine import issue_dir, links  # noqa: F401 (issue_dir: a fixture)
from common.settings import Settings

DEEPL_LACKS = ("bs", "ur", "ta", "ht")


@pytest.fixture
def stubs():
    with DeepLStub() as deepl, GoogleStub() as google:
        yield deepl, google


def invoke(stubs, *args, google_key="stub-key"):
    deepl, google = stubs
    env = {"DEEPL_AUTH_KEY": "stub-key", "DEEPL_SERVER_URL": deepl.url,
           "GOOGLE_TRANSLATE_API_KEY": google_key, "GOOGLE_TRANSLATE_ENDPOINT": google.url}
    return CliRunner().invoke(cli, ["translations", "machine", *map(str, args)], env=env)


def google_provider(stub, **options) -> GoogleTranslate:
    waits: list[float] = []
    provider = GoogleTranslate("stub-key", endpoint=stub.url, sleep=waits.append, **options)
    provider.waits = waits
    return provider


def machine(issue_dir, provider, langs, glossary=Glossary()):
    issue = load_issue(issue_dir)
    return run(issue, plan(issue, langs, provider, glossary), glossary)


def test_languages_deepl_lacks_go_to_google_and_the_others_stay_with_deepl(issue_dir, stubs):
    deepl, google = stubs
    result = invoke(stubs, issue_dir, "--all-missing")
    assert result.exit_code == 0, result.output
    assert "Machine translation by DeepL, then Google Cloud Translation" in result.output
    for lang in DEEPL_LACKS:
        assert re.search(rf"\({lang}\)\s+\d+\s+[\d,]+\s+Google Cloud Translation", result.output), lang
    assert re.search(r"Vietnamese \(vi\)\s+\d+\s+[\d,]+\s+DeepL", result.output)
    assert "not offered" not in result.output
    assert {r["target"] for r in google.translate_requests} == set(DEEPL_LACKS)
    assert {r["target_lang"] for r in deepl.translate_requests} == {"PT-BR", "ZH-HANS", "RU", "PL", "VI", "UK"}
    issue = load_issue(issue_dir)
    for lang in DEEPL_LACKS:
        status = language_status(issue, lang)
        assert status.outcome == "machine" and status.providers == (f"google@{google.url.split('//')[1]}",)
        po = polib.pofile(str(issue_dir / "i18n" / f"{lang}.po"))
        subject = po.find("issue.subject", by="msgctxt")
        assert subject.fuzzy and subject.msgstr == f"[{lang.upper()}] News for families"
        assert subject.tcomment.startswith(f"machine translation by google@{google.url.split('//')[1]}:")
        assert "NOT Google: a local server" in po.header and "tests/google_stub.py" in po.header
    assert language_status(issue, "vi").providers == (f"deepl@{deepl.url.split('//')[1]}",)
    assert json.loads((issue_dir / "i18n" / "machine-run.json").read_text())["not_offered"] == {}


def test_a_language_no_provider_offers_is_reported_never_filled(issue_dir):
    with DeepLStub() as deepl, GoogleStub(languages=tuple(c for c in LANGUAGES if c != "ht")) as google:
        result = invoke((deepl, google), issue_dir, "--lang", "ht", "--lang", "bs")
    assert result.exit_code == 0, result.output
    why = "neither DeepL nor Google Cloud Translation offers Haitian Creole"
    assert re.search(rf"\(ht\)\s+-\s+-\s+not offered: {why}; families keep the fallback", result.output)
    assert not (issue_dir / "i18n" / "ht.po").exists() and (issue_dir / "i18n" / "bs.po").exists()
    assert {r["target"] for r in google.translate_requests} == {"bs"}
    record = json.loads((issue_dir / "i18n" / "machine-run.json").read_text())
    assert record["not_offered"] == {"ht": why}
    issue = load_issue(issue_dir)
    assert language_status(issue, "ht").outcome == "english" and language_status(issue, "ht").reason == why


def test_provider_forces_one_service(issue_dir, stubs):
    deepl, google = stubs
    result = invoke(stubs, issue_dir, "--lang", "vi", "--lang", "bs", "--provider", "google")
    assert result.exit_code == 0, result.output
    assert deepl.translate_requests == [] and {r["target"] for r in google.translate_requests} == {"vi", "bs"}
    only_deepl = invoke(stubs, issue_dir, "--lang", "ur", "--provider", "deepl")
    assert "not offered: DeepL does not offer Urdu" in only_deepl.output and deepl.translate_requests == []


def test_what_google_is_sent_keeps_links_tokens_and_names_and_the_urdu_edition_is_right_to_left(issue_dir, stubs):
    _, google = stubs
    glossary = Glossary(keep=("Foodshare",), terms={"ur": {"Family picnic": "خاندانی پکنک"}})
    [item] = machine(issue_dir, google_provider(google), ["ur"], glossary)
    [request] = google.translate_requests
    assert request["source"] == "en" and request["target"] == "ur" and request["format"] == "html"
    assert google.keys_seen[-1] == "stub-key" and "key" not in request        # in a header, never the address
    body = next(q for q in request["q"] if q.startswith("<p>Bring"))
    assert '<a href="https://www.whps.org/picnic">the district site</a>' in body
    assert '<span translate="no">__FIRST_NAME__</span>' in body and "<b>games</b>" in body
    assert '<li><span translate="no">Foodshare</span> brings' in body
    stored = catalogs.load(load_issue(issue_dir), "ur")
    assert "- Foodshare brings groceries" in stored["picnic.body"].text.replace("[UR] ", "")
    assert item.failed == [] and stored["picnic.title"].machine
    issue = load_issue(issue_dir)
    english, urdu = render_issue(issue, "en"), render_issue(localize(issue, "ur"), "ur")
    assert re.search(r'<html[^>]*lang="ur"[^>]*dir="rtl"', urdu.html) and "<bdi" not in urdu.html
    assert urdu.html.count("اس نیوز لیٹر کا ترجمہ خودکار طور پر کیا گیا ہے۔") == 1       # the banner, in Urdu
    assert links(english.html) == links(urdu.html)
    assert "__FIRST_NAME__" in urdu.html and "(860) 263-0724" in urdu.html and "[UR] " in urdu.html
    assert "<strong>games</strong>" in urdu.html and "<em>music</em>" in urdu.html
    assert any("no glossaries" in note and "Family picnic" in note for note in item.provider.notes())


def test_a_rerun_costs_nothing_and_the_dry_run_estimate_is_what_google_bills(issue_dir, stubs):
    _, google = stubs
    dry = invoke(stubs, issue_dir, "--lang", "ta", "--lang", "vi", "--dry-run")
    assert dry.exit_code == 0, dry.output
    estimate = {lang: int(n.replace(",", "")) for lang, n in re.findall(r"\((ta|vi)\)\s+\d+\s+([\d,]+)", dry.output)}
    assert re.search(r"by Google Cloud Translation\s+\d+\s+" + f"{estimate['ta']:,}", dry.output)
    assert estimate["ta"] > estimate["vi"]                # Google bills the tags too; DeepL only the text
    assert google.translate_requests == [] and not (issue_dir / "i18n").exists()
    assert invoke(stubs, issue_dir, "--lang", "ta").exit_code == 0
    assert google.characters == estimate["ta"]
    requests, billed = len(google.translate_requests), google.characters
    again = invoke(stubs, issue_dir, "--lang", "ta")
    assert re.search(r"\(ta\)\s+0\s+0\s+Google", again.output)
    assert len(google.translate_requests) == requests and google.characters == billed
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("title: Family picnic", "title: Family picnic and games"))
    [changed] = machine(issue_dir, google_provider(google), ["ta"])
    assert [u.context for u in changed.todo] == ["picnic.title"]
    assert google.characters - billed == len("Family picnic and games")


def test_missing_or_refused_google_key_names_the_setting_and_translates_nothing(issue_dir, stubs):
    missing = invoke(stubs, issue_dir, "--all-missing", google_key="")
    assert missing.exit_code == 1 and "GOOGLE_TRANSLATE_API_KEY" in missing.output
    assert "Bosnian" in missing.output and "--provider deepl" in missing.output and "Traceback" not in missing.output
    assert not (issue_dir / "i18n").exists()                       # found before anything was sent
    for key in ("refused", "disabled"):                            # 400 API_KEY_INVALID; 403 SERVICE_DISABLED
        refused = invoke(stubs, issue_dir, "--lang", "bs", google_key=key)
        assert refused.exit_code == 1 and "GOOGLE_TRANSLATE_API_KEY" in refused.output, refused.output
        assert "refused the key" in refused.output
    with pytest.raises(ConfigError) as caught:
        GoogleTranslate.from_settings(Settings.from_env())
    assert caught.value.setting == "GOOGLE_TRANSLATE_API_KEY"
    only_deepl = invoke(stubs, issue_dir, "--lang", "vi", google_key="")        # Google not needed: not asked
    assert only_deepl.exit_code == 0, only_deepl.output


@pytest.mark.parametrize("failures", [[429, 429], ["rate", 503]])
def test_busy_google_is_retried_then_translates(issue_dir, failures):
    with GoogleStub(fail=failures) as stub:
        provider = google_provider(stub)
        [item] = machine(issue_dir, provider, ["bs"])
    assert provider.waits == [1, 2] and item.filled > 0 and item.failed == []


def test_still_busy_after_the_retries_stops_with_a_message(issue_dir):
    with GoogleStub(fail=[429] * 10) as stub:
        with pytest.raises(TransientError) as caught:
            machine(issue_dir, google_provider(stub, delays=(0, 0)), ["bs"])
    assert "busy" in caught.value.problems[0].message and "run the same command again" in caught.value.problems[0].hint


def test_used_up_daily_quota_keeps_what_was_done_and_says_so(issue_dir):
    with GoogleStub() as stub:
        machine(issue_dir, google_provider(stub), ["bs"])
        per_language = stub.characters
    with GoogleStub(quota=per_language + 10) as stub:
        with pytest.raises(ProviderError) as caught:
            machine(issue_dir, google_provider(stub), ["ur", "ta"])
        assert not isinstance(caught.value, TransientError) and caught.value.status == 403
        assert "quota" in caught.value.problems[0].message and "Pacific" in caught.value.problems[0].hint
        assert re.search(r"texts stored before it stopped: ur \d+, ta 0", caught.value.outcome)
        assert stub.translate_requests[-1]["target"] == "ta"     # no retries: waiting will not help today
        stub.quota = None
        [ur, ta] = machine(issue_dir, google_provider(stub), ["ur", "ta"])
        assert ur.todo == [] and ta.filled > 0


def test_an_answer_that_loses_a_link_stays_missing(issue_dir):
    with GoogleStub(spoil=lambda text: text.replace("https://www.whps.org/picnic", "https://evil.example.com")) as stub:
        [item] = machine(issue_dir, google_provider(stub), ["ht"])
    assert [context for context, _ in item.failed] == ["picnic.body"] and "links differ" in item.failed[0][1]
    assert language_status(load_issue(issue_dir), "ht").unit_status["picnic.body"] == "missing"


def test_an_unknown_provider_in_the_publication_is_a_clear_error(issue_dir):
    publication = issue_dir.parent / "publication.yaml"
    publication.write_text(publication.read_text().replace("machine_providers: [deepl, google]",
                                                           "machine_providers: [deepl, gogle]"))
    with pytest.raises(NewsletterError) as caught:
        load_issue(issue_dir)
    [problem] = caught.value.problems
    assert problem.key == "machine_providers" and "unknown machine-translation provider 'gogle'" in problem.message
    assert "did you mean 'google'?" in problem.hint and "known providers: deepl, google" in problem.hint
    assert problem.line


def test_googles_html_answer_becomes_the_markup_again():
    """Character references, named entities, an added direction style and class="notranslate"
    are HTML, not XML: the answer is read as HTML and written back as what from_xml reads."""
    from blocks.i18n.machine import html
    from blocks.i18n.machine.markup import from_xml, to_xml

    sent = html.to_html(to_xml("Call __FIRST_NAME__ at [the office](https://x.org/?a=1&b=2) **today**", True))
    assert sent == ('<p>Call <span translate="no">__FIRST_NAME__</span> at '
                    '<a href="https://x.org/?a=1&amp;b=2">the office</a> <b>today</b></p>')
    answer = ('<p style=";text-align:right;direction:rtl">l&#39;appel&nbsp;de <span translate="no">__FIRST_NAME__'
              '</span> <a href="https://x.org/?a=1&amp;b=2">au bureau</a> <b>aujourd&#39;hui</b> '
              '<span class="notranslate">Foodshare</span></p>')
    assert from_xml(html.to_xml(answer), True) == (
        "l'appel\xa0de __FIRST_NAME__ [au bureau](https://x.org/?a=1&b=2) **aujourd'hui** Foodshare")
    assert html.to_xml("<p>open <b>bold</p>") == "<p>open <b>bold</b></p>"       # closed, for from_xml to judge


def test_the_sample_builds_machine_editions_for_the_languages_deepl_lacks(tmp_path):
    """The issue's acceptance, on the sample (its bs, ur, ta, ht made by the Google stub): build
    writes each with its lang, the banner in that language, every link; Urdu right-to-left, no <bdi>."""
    from tests.conftest import SAMPLE

    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    english = (tmp_path / "en.html").read_text(encoding="utf-8")
    banners = {"bs": "Ovaj bilten je automatski preveden.", "ur": "اس نیوز لیٹر کا ترجمہ خودکار طور پر کیا گیا ہے۔",
               "ta": "இந்தச் செய்தி மடல் தானியங்கியாக", "ht": "Yo tradui bilten sa a otomatikman."}
    for lang, banner in banners.items():
        html_text = (tmp_path / f"{lang}.html").read_text(encoding="utf-8")
        direction = "rtl" if lang == "ur" else "ltr"
        assert re.search(rf'<html[^>]*lang="{lang}"[^>]*dir="{direction}"', html_text), lang
        assert html_text.count(banner) == 1 and banner in (tmp_path / f"{lang}.txt").read_text(encoding="utf-8")
        assert "<bdi" not in html_text and f"[{lang.upper()}] " in html_text
        own = {f"./{lang}.html", f"./kickoff-{lang}.ics", f"./foodshare-october-{lang}.ics"}    # per edition
        assert links(html_text) - own == links(english) - {"./kickoff-en.ics", "./foodshare-october-en.ics"}
        assert re.search(rf"{lang}\s+[\d.]+KB\s+[\d.]+KB\s+machine: machine-translated, sent with a banner",
                         result.output), lang
