"""Machine translation as drafts (blocks/i18n/machine/), against the local DeepL stub on 127.0.0.1:
what is sent, what is stored and with which status, what is never touched, and what a failure keeps."""
from __future__ import annotations

import json
import re

import polib
import pytest
from click.testing import CliRunner

from blocks.i18n import catalogs
from blocks.i18n.exchange import export, import_po
from blocks.i18n.localize import localize
from blocks.i18n.machine.deepl import DeepL
from blocks.i18n.machine.glossary import Glossary
from blocks.i18n.machine.run import plan, run
from blocks.i18n.status import language_status
from blocks.loader import load_issue
from blocks.render import render_issue
from common.errors import ConfigError, ProviderError, TransientError
from compose import cli
from tests.deepl_stub import DeepLStub
from tests.blocks.test_i18n import ISSUE, SPANISH, translate
from common.settings import Settings

ISSUE_WITH_LINKS = ISSUE.replace("""    online: true
""", """    online: true
    body: |
      Bring the family: **games**, *music* and food. Details at [the district site](https://www.whps.org/picnic)
      or call [(860) 263-0724](tel:+18602630724), __FIRST_NAME__.

      - Foodshare brings groceries
      - Free for everyone
    registration: https://www.whps.org/register
    registration_label: Register for the picnic
""")


@pytest.fixture
def issue_dir(make_issue):
    return make_issue(ISSUE_WITH_LINKS)


@pytest.fixture
def stub():
    with DeepLStub() as server:
        yield server


@pytest.fixture
def deepl(stub):
    waits: list[float] = []
    provider = DeepL("stub-key", server_url=stub.url, sleep=waits.append)
    provider.waits = waits
    return provider


def machine(issue_dir, provider, langs, glossary=Glossary()):
    issue = load_issue(issue_dir)
    return run(issue, plan(issue, langs, provider, glossary), glossary)


def invoke(stub, *args, key="stub-key"):
    """DeepL alone (--provider deepl; the publication's order, DeepL then Google: tests/blocks/test_machine_google.py)."""
    env = {"DEEPL_AUTH_KEY": key, "DEEPL_SERVER_URL": stub.url}
    return CliRunner().invoke(cli, ["translations", "machine", *map(str, args), "--provider", "deepl"], env=env)


def test_all_missing_fills_every_language_the_provider_offers_with_machine_drafts(issue_dir, stub):
    result = invoke(stub, issue_dir, "--all-missing")
    assert result.exit_code == 0, result.output
    assert re.search(r"Vietnamese \(vi\)\s+\d+\s+[\d,]+", result.output)
    for lang in ("bs", "ur", "ta", "ht"):              # DeepL offers none of these: reported, never English
        assert re.search(rf"\({lang}\)\s+-\s+-\s+not offered: DeepL does not offer", result.output)
        assert not (issue_dir / "i18n" / f"{lang}.po").exists()
    issue = load_issue(issue_dir)
    assert issue.added_languages == ("pt", "zh_Hans", "ru", "pl", "vi", "uk")   # es, ar: declared, left to people
    status = language_status(issue, "vi")
    assert status.outcome == "machine" and status.count("machine") == len(status.owners)
    entry = polib.pofile(str(issue_dir / "i18n" / "vi.po")).find("issue.subject", by="msgctxt")
    assert entry.fuzzy and entry.msgid == "News for families" and entry.msgstr == "[VI] News for families"
    assert entry.tcomment.startswith(f"machine translation by deepl@{stub.url.split('//')[1]}:")
    record = json.loads((issue_dir / "i18n" / "machine-run.json").read_text())
    assert record["not_offered"]["bs"] == "DeepL does not offer Bosnian"
    assert language_status(issue, "bs").reason == "DeepL does not offer Bosnian"


def links(html: str) -> set[str]:
    """Every address a family can follow (calendar files and Google Calendar links are per language)."""
    return {href for href in re.findall(r'href="([^"]+)"', html)
            if not href.startswith(("__WEB_URL__", "https://calendar.google.com"))}


def test_machine_edition_has_its_language_banner_and_every_link(issue_dir, stub):
    assert invoke(stub, issue_dir, "--lang", "vi", "--lang", "zh-Hans").exit_code == 0
    issue = load_issue(issue_dir)
    english = render_issue(issue, "en")
    for lang, tag, banner in (("vi", "vi", "Bản tin này được dịch tự động."), ("zh_Hans", "zh-Hans", "本期简报由机器自动翻译。")):
        email = render_issue(localize(issue, lang), lang)
        assert re.search(rf'<html[^>]*lang="{tag}"', email.html)
        assert email.html.count(banner) == 1 and banner in email.text
        assert 'href="__WEB_URL__/en.html"' in email.html          # "Read the original in English"
        assert links(english.html) == links(email.html)
        assert "__FIRST_NAME__" in email.html and "(860) 263-0724" in email.html
        assert "<strong>games</strong>" in email.html and "<em>music</em>" in email.html
    assert "[VI] Bring the family" in render_issue(localize(issue, "vi"), "vi").html


def test_what_is_sent_is_xml_with_links_tokens_and_glossary_names_protected(issue_dir, stub, deepl):
    glossary = Glossary(keep=("Foodshare",), terms={"pt": {"Family picnic": "Piquenique da família"}})
    machine(issue_dir, deepl, ["pt"], glossary)
    [request] = stub.translate_requests
    assert request["target_lang"] == "PT-BR" and request["source_lang"] == "EN"
    assert request["tag_handling"] == "xml" and request["ignore_tags"] in ("x", ["x"])
    assert request["glossary_id"] in stub.glossaries
    body = next(t for t in request["text"] if t.startswith("<p>Bring"))
    assert '<a href="https://www.whps.org/picnic">the district site</a>' in body
    assert "<x>__FIRST_NAME__</x>" in body and "<b>games</b>" in body and "<li><x>Foodshare</x> brings" in body
    stored = catalogs.load(load_issue(issue_dir), "pt")
    assert stored["picnic.title"].text == "[PT-BR] Piquenique da família"          # the glossary's words
    assert "- Foodshare brings groceries" in stored["picnic.body"].text.replace("[PT-BR] ", "")


def test_human_work_is_never_replaced(issue_dir, stub, deepl):
    issue = load_issue(issue_dir)
    translate(issue, "es", SPANISH, fuzzy={"picnic.title"})                 # approved, plus one human draft
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("heading: Welcome", "heading: Welcome, families"))   # now stale
    before = (issue_dir / "i18n" / "es.po").read_text()
    [item] = machine(issue_dir, deepl, ["es"])
    assert item.kept_human == ["welcome.heading"]
    stored = catalogs.load(load_issue(issue_dir), "es")
    assert stored["welcome.heading"].text == "Bienvenidos" and not stored["welcome.heading"].machine
    assert stored["picnic.title"].text == "Picnic familiar" and stored["picnic.title"].draft
    assert stored["picnic.body"].machine                                     # only what had no translation
    for context, text in SPANISH.items():
        if not context.startswith("issue."):
            continue
        assert f'msgstr "{text}"' in before and stored[context].text == text


def test_a_rerun_with_nothing_changed_costs_nothing_and_a_changed_text_costs_only_itself(issue_dir, stub, deepl):
    machine(issue_dir, deepl, ["vi"])
    billed, requests = stub.characters, len(stub.translate_requests)
    assert billed > 0
    [again] = machine(issue_dir, deepl, ["vi"])
    assert again.todo == [] and stub.characters == billed and len(stub.translate_requests) == requests
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("title: Family picnic", "title: Family picnic and games"))
    assert language_status(load_issue(issue_dir), "vi").unit_status["picnic.title"] == "stale"
    [changed] = machine(issue_dir, deepl, ["vi"])
    assert [u.context for u in changed.todo] == ["picnic.title"]
    assert stub.characters - billed == len("Family picnic and games")
    assert language_status(load_issue(issue_dir), "vi").unit_status["picnic.title"] == "machine"


def test_dry_run_prints_characters_per_language_and_sends_and_stores_nothing(issue_dir, stub):
    result = invoke(stub, issue_dir, "--lang", "vi", "--lang", "pl", "--lang", "bs", "--dry-run")
    assert result.exit_code == 0, result.output
    issue = load_issue(issue_dir)
    rows = dict(re.findall(r"\((vi|pl)\)\s+\d+\s+([\d,]+)", result.output))
    assert rows["vi"] == rows["pl"]
    assert "not offered: DeepL does not offer Bosnian" in result.output and "characters to be billed" in result.output
    assert stub.translate_requests == [] and not (issue_dir / "i18n").exists() and issue.added_languages == ()
    assert invoke(stub, issue_dir, "--lang", "vi").exit_code == 0
    assert stub.characters == int(rows["vi"].replace(",", ""))     # the estimate is what was billed


def test_an_answer_that_fails_the_import_checks_stays_missing_and_is_reported(issue_dir, monkeypatch):
    with DeepLStub(spoil=lambda text: text.replace("https://www.whps.org/picnic", "https://evil.example.com")) as stub:
        result = invoke(stub, issue_dir, "--lang", "vi")
    assert result.exit_code == 0, result.output
    assert re.search(r"left missing, the answer failed the import checks: picnic\.body: links differ", result.output)
    stored = catalogs.load(load_issue(issue_dir), "vi")
    assert "picnic.body" not in stored and stored["picnic.title"].machine
    assert language_status(load_issue(issue_dir), "vi").unit_status["picnic.body"] == "missing"


def test_busy_provider_is_retried_then_translates(issue_dir):
    with DeepLStub(fail=[429, 429]) as stub:
        waits: list[float] = []
        provider = DeepL("stub-key", server_url=stub.url, sleep=waits.append)
        [item] = machine(issue_dir, provider, ["vi"])
    assert waits == [1, 2] and item.filled > 0 and item.failed == []


def test_still_busy_after_the_retries_stops_with_a_message_and_keeps_nothing_half(issue_dir):
    with DeepLStub(fail=[429] * 10) as stub:
        provider = DeepL("stub-key", server_url=stub.url, sleep=lambda _: None, delays=(0, 0))
        with pytest.raises(TransientError) as caught:
            machine(issue_dir, provider, ["vi"])
    assert "busy" in caught.value.problems[0].message and "run the same command again" in caught.value.problems[0].hint


def test_quota_exceeded_keeps_what_was_translated_and_the_rerun_does_only_the_rest(issue_dir):
    with DeepLStub() as stub:
        provider = DeepL("stub-key", server_url=stub.url)
        machine(issue_dir, provider, ["vi"])
        per_language = stub.characters
    with DeepLStub(quota=per_language + 10) as stub:
        provider = DeepL("stub-key", server_url=stub.url)
        with pytest.raises(ProviderError) as caught:
            machine(issue_dir, provider, ["pl", "uk"])
        assert caught.value.status == 456 and "quota" in caught.value.problems[0].message
        assert re.search(r"texts stored before it stopped: pl \d+, uk 0", caught.value.outcome)
        issue = load_issue(issue_dir)
        assert language_status(issue, "pl").outcome == "machine" and "uk" not in issue.added_languages
        stub.quota = None
        [pl, uk] = machine(issue_dir, provider, ["pl", "uk"])
        assert pl.todo == [] and uk.filled > 0


def test_a_language_deepl_keeps_no_glossary_for_is_translated_with_a_note():
    """Creating the glossary (POST /v2/glossaries, the provider's own request) refused: the texts
    are still translated, without it, and the run says so."""
    with DeepLStub(no_glossary={"VI"}) as stub:
        provider = DeepL("stub-key", server_url=stub.url, sleep=lambda _: None, delays=())
        result = provider.translate(["<p>Office of Equity Advancement</p>"], "vi",
                                    {"Office of Equity Advancement": "Văn phòng Thúc đẩy Công bằng"})
    assert result.texts == ["<p>[VI] Office of Equity Advancement</p>"]
    [note] = provider.notes()
    assert note.startswith("DeepL has no glossary for Vietnamese") and "Unsupported glossary target language VI" in note


def test_an_unreachable_deepl_server_is_a_transient_error_naming_the_setting():
    from tests.mailer.smtp_sink import free_port
    waits: list[float] = []
    provider = DeepL("stub-key", server_url=f"http://127.0.0.1:{free_port()}", sleep=waits.append, delays=(1, 2))
    with pytest.raises(TransientError) as caught:
        provider.offered("vi")                       # GET /v3/languages, the provider's own request
    assert caught.value.unreachable and waits == [1, 2]
    assert "cannot be reached" in caught.value.problems[0].message and "DEEPL_SERVER_URL" in caught.value.problems[0].hint


def test_refused_or_missing_key_names_the_setting(issue_dir, stub, monkeypatch):
    refused = invoke(stub, issue_dir, "--lang", "vi", key="refused")
    assert refused.exit_code == 1 and "DEEPL_AUTH_KEY" in refused.output and "Traceback" not in refused.output
    monkeypatch.delenv("DEEPL_AUTH_KEY", raising=False)
    with pytest.raises(ConfigError) as caught:
        DeepL.from_settings(Settings.from_env())
    assert caught.value.setting == "DEEPL_AUTH_KEY"
    missing = CliRunner().invoke(cli, ["translations", "machine", str(issue_dir), "--lang", "vi"],
                                 env={"DEEPL_AUTH_KEY": ""})
    assert missing.exit_code == 1 and "DEEPL_AUTH_KEY" in missing.output


def test_languages_must_be_the_publications(issue_dir, stub):
    wrong = invoke(stub, issue_dir, "--lang", "de")
    assert wrong.exit_code == 1 and "de: not among the publication's translation languages" in wrong.output
    neither = invoke(stub, issue_dir)
    assert neither.exit_code == 2 and "--all-missing" in neither.output


def test_reviewers_approve_or_correct_machine_drafts_through_the_po_round_trip(issue_dir, deepl):
    machine(issue_dir, deepl, ["vi"])
    issue = load_issue(issue_dir)
    po = export(issue, "vi")
    subject, title = po.find("issue.subject", by="msgctxt"), po.find("picnic.title", by="msgctxt")
    assert subject.fuzzy and subject.tcomment.startswith("machine translation by")
    subject.flags.remove("fuzzy")                                  # reviewed: right as it is
    title.msgstr = "Dã ngoại gia đình"                             # corrected, left fuzzy: a human draft
    path = issue_dir / "review-vi.po"
    po.save(str(path))
    report = import_po(issue, polib.pofile(str(path)), "vi", path)
    assert report.approved == 1 and report.drafts == 1 and report.machine == len(po) - 2
    status = language_status(load_issue(issue_dir), "vi")
    assert status.unit_status["issue.subject"] == "approved" and status.unit_status["picnic.title"] == "draft"
    assert status.unit_status["issue.preheader"] == "machine"


def test_hold_policy_keeps_machine_text_from_families_until_approved(issue_dir, deepl):
    machine(issue_dir, deepl, ["vi"])
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("languages: [en, es, ar]", "languages: [en, es, ar]\nmachine: hold"))
    issue = load_issue(issue_dir)
    status = language_status(issue, "vi")
    assert status.outcome == "english" and "held for review" in status.reason
    held = localize(issue, "vi")
    assert all(block.lang == "en" for block in held.blocks) and not held.machine_text
    preview = localize(issue, "vi", drafts=True)                   # build --drafts, for reviewers
    assert preview.machine_text and all(block.machine for block in preview.blocks)
    yaml.write_text(yaml.read_text().replace("machine: hold", "machine: {default: hold, vi: send}"))
    assert language_status(load_issue(issue_dir), "vi").outcome == "machine"


@pytest.mark.parametrize("policy, says, never", [
    ("machine: hold", "Vietnamese (vi): held, as the publication's machine: policy says", "with a banner"),
    ("machine: send", "Vietnamese (vi): sent as machine editions, with a banner saying so", "held"),
])
def test_after_a_run_the_message_follows_the_machine_policy(issue_dir, stub, policy, says, never):
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("languages: [en, es, ar]", f"languages: [en, es, ar]\n{policy}"))
    result = invoke(stub, issue_dir, "--lang", "vi")
    assert result.exit_code == 0, result.output
    following = result.output.split("Next:", 1)[1]
    assert says in following and never not in following
    assert "--lang vi" in following and "<code>" not in following and "<issue>" not in following


def test_translations_export_names_the_publication_and_never_overwrites_without_force(issue_dir, tmp_path):
    run = lambda *args: CliRunner().invoke(cli, ["translations", "export", str(issue_dir), "--lang", "es", *args])  # noqa: E731
    first = run()
    assert first.exit_code == 0, first.output
    written = tmp_path / f"equity-{issue_dir.name}-es.po"            # (make_issue works in tmp_path)
    assert written.exists() and f"Wrote {written.name}" in first.output
    written.write_text(written.read_text() + "\n# a translator's work\n")
    again = run()
    assert again.exit_code == 1 and f"{written.name} exists" in again.output and "--force" in again.output
    assert written.read_text().endswith("# a translator's work\n")
    forced = run("--force")
    assert forced.exit_code == 0 and "a translator's work" not in written.read_text()
