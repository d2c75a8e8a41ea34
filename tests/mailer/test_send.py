"""Sending: the right language to every family, exactly once, with working one-click unsubscribe."""
from __future__ import annotations

import base64
import email
import os
import subprocess
import sys
from dataclasses import replace
from email import policy
from pathlib import Path

import pytest

from blocks.loader import load_issue
from mailer.backends.outbox import OutboxBackend
from mailer.backends.smtp import SMTPBackend
from mailer.send.links import BadToken, LinkSigner
from mailer.send.personalize import Personalizer
from mailer.send.routing import Router
from mailer.send.sender import Sender
from tests.mailer.smtp_sink import SMTPSink
from tests.mailer.crashing_compose import CRASHED

ROOT = Path(__file__).resolve().parents[2]
ISSUE_DIR = ROOT / "newsletters" / "equity" / "2021-09-sept-oct"
SIGNER = LinkSigner("test-secret-0123456789abcdef-0123456789", "https://prefs.example.org")
FAMILIES = [
    ["ana@example.org", "Ana Pérez", "Spanish", "Aiken", "2"],
    ["omar@example.org", "Omar Haddad", "Arabic", "Hall", "10"],
    ["joe@example.org", "Joe Smith", "English", "Duffy", "K"],
    ["rui@example.org", "Rui Costa", "Portuguese", "Sedgwick", "7"],
    ["sana@example.org", "", "Urdu", "Morley", "3"],
]


@pytest.fixture(scope="module")
def issue():
    return load_issue(ISSUE_DIR)


@pytest.fixture
def families(store, write_roster, run):
    result = run("subscribers", "import", write_roster(FAMILIES))
    assert result.exit_code == 0, result.output
    return store


def sender(issue, store, backend, **options):
    personalizer = Personalizer(issue.key, SIGNER, "example.org", "https://newsletter.example.org/equity/x")
    return Sender(issue, store, backend, personalizer, segment_name="all-families",
                  web_url="https://newsletter.example.org/equity/x", **options)


def read_eml(path: Path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def outbox_files(root: Path) -> dict[str, Path]:
    return {read_eml(p)["To"].addresses[0].addr_spec: p for p in root.rglob("*.eml")}


def test_outbox_send_routes_languages_and_builds_valid_messages(issue, families, tmp_path):
    report = sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    assert report.results == {"sent": 5}
    files = outbox_files(tmp_path / issue.key)
    langs = {addr: path.parent.name for addr, path in files.items()}
    assert langs == {"ana@example.org": "es", "omar@example.org": "ar", "joe@example.org": "en",
                     "rui@example.org": "pt", "sana@example.org": "ur"}   # pt, ur: machine editions (DeepL's, Google's)
    message = read_eml(files["ana@example.org"])
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Content-Language"] == "es" and message["Subject"].startswith("¡Bienvenidos")
    assert message["From"].addresses[0].addr_spec == "equity@example.org"
    assert message["Message-ID"] == f"<equity.{issue.slug}.{families.get('ana@example.org').id}@example.org>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Id"].endswith("<equity.newsletter.example.org>")
    unsubscribe = message["List-Unsubscribe"].strip("<>")
    assert unsubscribe.startswith("https://prefs.example.org/u/")
    assert SIGNER.verify("u", unsubscribe.rsplit("/", 1)[1]) == (families.get("ana@example.org").id, issue.key)
    html = message.get_body(("html",)).get_content()
    assert f'href="{unsubscribe}"' in html and "ana@example.org" not in unsubscribe
    text = message.get_body(("plain",)).get_content()
    assert unsubscribe in text and "__" not in text.replace("__init__", "")
    assert not message.defects and all(not p.defects for p in message.iter_parts())


@pytest.mark.parametrize("size", [0, 1, 56, 57, 58, 114, 5_000, 72_001])
def test_base64_parts_are_cut_into_76_character_lines_as_the_standard_library_does(size):
    from mailer.message.mime import _base64_lines
    data = bytes(range(256)) * (size // 256 + 1)
    assert _base64_lines(data[:size]) == base64.encodebytes(data[:size]).rstrip(b"\n").replace(b"\n", b"\r\n")


def test_rerun_and_overlapping_segments_skip_families_already_sent(issue, families, tmp_path):
    sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    again = sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    assert again.results == {} and again.skipped == {"sent": 5}
    assert len(list((tmp_path / issue.key).rglob("*.eml"))) == 5


def test_resend_must_be_explicit_and_gets_a_new_message_id(issue, families, tmp_path):
    sender(issue, families, OutboxBackend(tmp_path / "first", issue.key)).run(None)
    report = sender(issue, families, OutboxBackend(tmp_path / "again", issue.key), resend=True).run(None)
    assert report.results == {"sent": 5}
    message = read_eml(outbox_files(tmp_path / "again" / issue.key)["joe@example.org"])
    assert message["Message-ID"].endswith(".r1@example.org>")


def test_unsubscribed_families_are_never_sent_to(issue, families, tmp_path):
    families.set_status("joe@example.org", "unsubscribed", by="test")
    sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None)
    assert "joe@example.org" not in outbox_files(tmp_path / issue.key)


def test_hold_policy_holds_families_whose_language_is_missing(issue, families, tmp_path):
    held = replace(issue, fallback="hold")
    assert Router(held).edition("de") is None and Router(held).edition("es") == "es"    # no German edition
    assert Router(held).edition("ar") is None                  # Arabic is only partly approved
    assert Router(held).edition("pt") == "pt" and Router(held).edition("ur") == "ur"    # machine editions it sends
    report = sender(held, families, OutboxBackend(tmp_path, issue.key)).run(None)
    assert report.results == {"sent": 4} and report.held == {"ar": 1}


def test_regional_and_script_variants_read_their_base_language(issue):
    router = Router(replace(issue, languages=("en", "es", "zh_Hans")))
    assert router.matching("es_MX") == "es" and router.matching("zh") == "zh_Hans"
    assert router.matching("pt") is None and router.edition("pt") == "en"


def test_a_family_reading_traditional_chinese_gets_it_when_the_issue_has_it_and_staff_are_told_when_not(issue):
    both = Router(replace(issue, languages=("en", "zh_Hans", "zh_Hant")))
    assert both.matching("zh_TW") == "zh_Hant" and both.matching("zh_HK") == "zh_Hant"   # not the first zh_* listed
    assert both.matching("zh") == "zh_Hans" and both.matching("zh_Hant") == "zh_Hant"
    simplified = Router(replace(issue, languages=("en", "zh_Hans")))
    assert simplified.matching("zh_Hant") == "zh_Hans"           # closer than English, but the dry run says so
    reason = simplified.route("zh_Hant").reason
    assert "written in Simplified script, these families read Traditional: add zh_Hant" in reason
    assert "script" not in simplified.route("zh").reason and "script" not in Router(issue).route("es_MX").reason


def test_dry_run_plans_per_language_and_school_and_sends_nothing(issue, families, tmp_path):
    report = sender(issue, families, OutboxBackend(tmp_path, issue.key)).run(None, dry_run=True)
    assert report.planned == {"en": 1, "es": 1, "ar": 1, "pt": 1, "ur": 1} and report.by_school["aiken"] == 1
    assert not (tmp_path / issue.key).exists()


def test_tampered_or_foreign_tokens_fail():
    token = SIGNER.token("u", 42, "2021-09-sept-oct")
    assert SIGNER.verify("u", token) == (42, "2021-09-sept-oct")
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), token.replace(".", "x", 1), "nonsense"):
        with pytest.raises(BadToken):
            SIGNER.verify("u", bad)
    with pytest.raises(BadToken):
        SIGNER.verify("p", token)                       # an unsubscribe token is not a preferences token
    with pytest.raises(BadToken):
        LinkSigner("another-secret-0123456789", "https://x.org").verify("u", token)


def test_links_read_both_ways_with_itsdangerous_so_links_already_sent_keep_working():
    """Tokens are signed without itsdangerous's zlib attempt (for speed); links of earlier
    sends, some compressed, still open, and ours open with itsdangerous's own serializer."""
    from itsdangerous import URLSafeSerializer
    plain = URLSafeSerializer(SIGNER.keys, salt="newsletter-link-u")
    for number, issue_key in ((42, "equity/2021-09-sept-oct"), (10 ** 12, "equity/2021-09-sept-oct"),
                              (7, "food/" + "a" * 120)):
        before = plain.dumps([number, issue_key])             # compressed for the last two
        assert SIGNER.verify("u", before) == (number, issue_key)
        assert plain.loads(SIGNER.token("u", number, issue_key)) == [number, issue_key]
    assert plain.dumps([7, "food/" + "a" * 120]).startswith(".")      # (so the compressed form was read)


def test_header_injection_is_refused(issue):
    from blocks.render import render_issue
    from mailer.message.mime import Envelope, HeaderInjection, MessageTemplate
    import datetime as dt
    template = MessageTemplate(render_issue(issue, "en"), sender=("Office", "equity@example.org"), reply_to=None,
                               list_id="<x.example.org>", date=dt.datetime(2021, 9, 1, tzinfo=dt.timezone.utc))
    with pytest.raises(HeaderInjection):
        template.headers_for(Envelope("a@example.org", "Eve\r\nBcc: all@example.org", "<1@x>", {}, "<https://x>"))


def test_smtp_delivers_each_family_once_with_retries_and_rejections(issue, families):
    with SMTPSink() as sink:
        sink.refuse["ana@example.org"] = [451]                 # temporary: retried
        sink.refuse["omar@example.org"] = [550]                # permanent: rejected, not retried
        sink.drop_on.add("joe@example.org")                    # connection dropped: reconnect and retry
        backend = SMTPBackend("127.0.0.1", sink.port, security="none", pool=2, retry_delay=0,
                              sleep=lambda _: None)
        report = sender(issue, families, backend).run(None)
        assert report.results == {"sent": 4, "rejected": 1}
        assert sink.per_address() == {"ana@example.org": 1, "joe@example.org": 1, "rui@example.org": 1,
                                      "sana@example.org": 1}
        assert sink.parsed("rui@example.org")["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        again = sender(issue, families, SMTPBackend("127.0.0.1", sink.port, security="none",
                                                    retry_delay=0, sleep=lambda _: None)).run(None)
        assert again.results == {} and again.skipped == {"sent": 4, "rejected": 1}


def compose(*args, env, crash_after: int = 0, crash_point: str = "recorded"):
    """Run compose.py; with crash_after, it dies like kill -9 part-way (tests/mailer/crashing_compose.py)."""
    script = [str(ROOT / "tests" / "mailer" / "crashing_compose.py"), str(crash_after), crash_point] \
        if crash_after else [str(ROOT / "compose.py")]
    return subprocess.run([sys.executable, *script, *map(str, args)], capture_output=True, stdin=subprocess.DEVNULL,
                          text=True, env={**os.environ, **env}, cwd=ROOT)


def test_crash_midway_then_rerun_delivers_everyone_exactly_once(families, store_url, tmp_path, write_roster, run):
    more = [[f"family{i}@example.org", f"Family {i}", ["Spanish", "English", "Arabic"][i % 3], "Aiken", "1"]
            for i in range(40)]
    assert run("subscribers", "import", write_roster(more, name="more.csv")).exit_code == 0
    with SMTPSink() as sink:
        # One connection: with a pool, a message in flight on another connection when the process dies
        # may be accepted but not yet recorded, and is sent again on the rerun (same Message-ID).
        env = {"NEWSLETTER_DB": store_url, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port),
               "SMTP_SECURITY": "none", "SMTP_POOL": "1", "NEWSLETTER_SECRET": SIGNER.secret,
               "NEWSLETTER_BASE_URL": SIGNER.base_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}
        args = ("send", ISSUE_DIR, "--to", "all-families", "--backend", "smtp", "--yes", "--reports", tmp_path,
                "--skip-link-check", "--allow-local-translations")  # no server at the base URL; stub-made editions
        crashed = compose(*args, env=env,
                          crash_after=20)
        assert crashed.returncode == CRASHED, crashed.stderr
        assert 20 <= len(sink.messages) < 45
        finished = compose(*args, env=env)
        assert finished.returncode == 0, finished.stderr
        counts = sink.per_address()
        assert len(counts) == 45 and set(counts.values()) == {1}
        assert "Skipped, already sent for this issue: 20" in finished.stdout


def test_crash_after_handing_over_is_resolved_by_the_outbox(families, store_url, tmp_path):
    env = {"NEWSLETTER_DB": store_url, "NEWSLETTER_AUDIENCES": str(ROOT / "audiences.yaml")}
    args = ("send", ISSUE_DIR, "--to", "all-families", "--outbox", tmp_path / "outbox", "--yes",
            "--reports", tmp_path / "reports")
    crashed = compose(*args, env=env, crash_after=1, crash_point="received")      # one family per language
    assert crashed.returncode == CRASHED
    finished = compose(*args, env=env)
    assert finished.returncode == 0, finished.stderr
    assert "Found delivered before an interruption: 1" in finished.stdout
    assert len(list((tmp_path / "outbox").rglob("*.eml"))) == 5
