"""Starting the preference center as staff would: `compose.py serve`, `serve --demo` after
`compose.py demo`, and gunicorn with family_web/gunicorn_conf.py. Weak secrets and wrong
keys stop the start with the reason; links from sent newsletters keep working across a key
rotation; no log line keeps a family's token."""
from __future__ import annotations

import email
import re
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest

from mailer.send.links import DEMO_SECRET, LinkSigner
from tests.family_web import servers
from tests.family_web.conftest import SIGNER, follows, link
from common.settings import Settings

STRONG = servers.SECRET


@pytest.mark.parametrize("secret, says", [
    (None, "NEWSLETTER_SECRET: is not set"),
    ("abc", "NEWSLETTER_SECRET: is 3 characters long; it must be at least 32 random characters"),
    ("x" * 31, "is 31 characters long"),
    (DEMO_SECRET, "is the public demo secret"),
    ("ab" * 20, "is not random: it has only 2 different characters"),
])
def test_serve_refuses_a_weak_secret_and_says_why(run, monkeypatch, secret, says):
    if secret is None:
        monkeypatch.delenv("NEWSLETTER_SECRET", raising=False)
    else:
        monkeypatch.setenv("NEWSLETTER_SECRET", secret)
    result = run("serve")
    assert result.exit_code == 1 and says in result.output
    assert "secrets.token_urlsafe(32)" in result.output and "serve --demo" in result.output
    assert "Traceback" not in result.output


def test_serve_refuses_a_weak_previous_secret_and_a_wrong_webhook_key(run, monkeypatch):
    monkeypatch.setenv("NEWSLETTER_SECRET", STRONG)
    monkeypatch.setenv("NEWSLETTER_SECRET_PREVIOUS", "short")
    result = run("serve")
    assert result.exit_code == 1 and "NEWSLETTER_SECRET_PREVIOUS: secret 1 is 5 characters long" in result.output
    monkeypatch.delenv("NEWSLETTER_SECRET_PREVIOUS")
    monkeypatch.setenv("SENDGRID_WEBHOOK_PUBLIC_KEY", "not-a-key")
    result = run("serve")
    assert result.exit_code == 1 and "SENDGRID_WEBHOOK_PUBLIC_KEY: is not a public key" in result.output


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.org", "::"])
def test_demo_mode_serves_this_computer_only(run, monkeypatch, host):
    monkeypatch.delenv("NEWSLETTER_SECRET", raising=False)
    result = run("serve", "--demo", "--host", host)
    assert result.exit_code == 1 and f"--host: {host} is not this computer" in result.output


def test_gunicorn_refuses_to_start_and_says_why(tmp_path):
    pytest.importorskip("gunicorn")
    for settings, says in (({"NEWSLETTER_SECRET": "abc"}, "NEWSLETTER_SECRET: is 3 characters long"),
                           ({"SENDGRID_WEBHOOK_PUBLIC_KEY": "MIIBIjANBgkq"}, "SENDGRID_WEBHOOK_PUBLIC_KEY")):
        done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "family_web/gunicorn_conf.py",
                               "-b", "127.0.0.1:0", "family_web.wsgi:app"], cwd=servers.ROOT, timeout=120,
                              env=servers.environment(tmp_path, **settings), capture_output=True, text=True)
        assert done.returncode != 0 and says in done.stderr and "Traceback" not in done.stderr


def test_links_signed_with_the_previous_secret_keep_working(families):
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    from tests.conftest import ROOT
    from tests.family_web.conftest import AUDIENCES
    rotated = LinkSigner(STRONG, SIGNER.base_url, previous=(SIGNER.secret,))
    client = create_app(store=families, signer=rotated, webhook_key="", newsletters_dir=ROOT / "newsletters",
                        audiences=load_audiences(AUDIENCES)).test_client()
    old = link(families, "ana@example.org", "p")                       # in a newsletter sent last month
    page = client.get(old).get_data(as_text=True)
    assert "Sus preferencias del boletín" in page
    new = re.search(r'href="/p/([^"?]+)"', client.get(link(families, "ana@example.org")).get_data(as_text=True))
    assert rotated.verify("p", new.group(1)) and LinkSigner(STRONG, "").verify("p", new.group(1))
    with pytest.raises(Exception):
        SIGNER.verify("p", new.group(1))                                 # new links use the new key only
    assert client.post(link(families, "ana@example.org"), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert not follows(families, "ana@example.org")


def test_rotation_from_the_environment(monkeypatch):
    monkeypatch.setenv("NEWSLETTER_SECRET", STRONG)
    monkeypatch.setenv("NEWSLETTER_SECRET_PREVIOUS", f"{SIGNER.secret}, older-secret-0123456789")
    monkeypatch.setenv("NEWSLETTER_BASE_URL", "https://prefs.example.org/")
    server, sending = LinkSigner.for_server(Settings.from_env()), LinkSigner.for_send(Settings.from_env())
    assert server.previous == sending.previous == (SIGNER.secret, "older-secret-0123456789")
    assert server.verify("u", SIGNER.token("u", 7, "2021-09")) == (7, "2021-09")
    assert sending.url("u", 7, "x").startswith("https://prefs.example.org/u/")
    monkeypatch.setenv("NEWSLETTER_SECRET", DEMO_SECRET)
    with pytest.raises(Exception, match="public demo secret"):
        LinkSigner.for_send(Settings.from_env())                                             # nor for a real send


@pytest.fixture
def demo_folder(tmp_path):
    """A folder where `compose.py demo` has run (its newsletters, roster and audiences linked in)."""
    for name in ("newsletters", "tests", "audiences.yaml"):
        (tmp_path / name).symlink_to(servers.ROOT / name)
    env = {k: v for k, v in servers.environment(tmp_path).items()
           if k not in ("NEWSLETTER_SECRET", "NEWSLETTER_DB", "SENDGRID_WEBHOOK_PUBLIC_KEY")}
    done = subprocess.run([sys.executable, str(servers.ROOT / "compose.py"), "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "python compose.py serve --demo" in done.stdout
    return tmp_path, env


def _link_in(outbox: Path, lang: str) -> str:
    message = email.message_from_bytes(next((outbox / lang).glob("*.eml")).read_bytes(), policy=policy.default)
    return message["List-Unsubscribe"].split("<")[1].split(">")[0]


def test_serve_demo_opens_the_links_of_the_demo_outbox(demo_folder):
    folder, env = demo_folder
    url = _link_in(folder / "outbox" / "equity" / "2021-09-sept-oct", "ar")
    assert url.startswith("http://127.0.0.1:8000/u/")
    running = servers.serve(env, "--demo", cwd=folder)
    try:
        path = url.removeprefix("http://127.0.0.1:8000")
        status, page = servers.get(running.port, path)
        assert status == 200 and 'dir="rtl"' in page and "مفتاح اختبار عام" in page        # the demo banner
        status, page = servers.get(running.port, path.replace("/u/", "/p/") + "x")
        assert status == 404 and "public test key" in page
    finally:
        log = running.stop()
    assert "Demo mode: signed with the public demo secret" in log
    assert "GET /u/[token]" in log and path.split("/")[-1] not in log


def test_production_server_health_and_logs_without_tokens(families, tmp_path):
    env = servers.environment(tmp_path, NEWSLETTER_DB=families.url)
    token = LinkSigner(STRONG, "").token("p", families.get("joe@example.org").id, "equity/2021-09-sept-oct")
    running = servers.gunicorn(env)
    try:
        assert servers.get(running.port, "/healthz") == (200, '{"status":"ok"}\n')
        status, page = servers.get(running.port, f"/p/{token}?lang=pt")
        assert status == 200 and "Salvar minhas escolhas" in page and "public test key" not in page
    finally:
        log = running.stop()
    assert '"GET /p/[token]?lang=pt HTTP/1.1" 200' in log and token not in log


def test_tokens_are_stripped_from_every_log_line(client, families, caplog, monkeypatch):
    from family_web.access_log import redact
    assert redact('POST /u/WzEsIngiXQ.abc-_ HTTP/1.1') == "POST /u/[token] HTTP/1.1"
    assert redact("GET /p/WzEsIngiXQ.abc?lang=es") == "GET /p/[token]?lang=es"
    assert redact("POST /webhooks/sendgrid") == "POST /webhooks/sendgrid"
    url = link(families, "ana@example.org", "p")
    monkeypatch.setattr(families, "get", lambda *a, **k: 1 / 0)          # a bug, not bad input
    assert client.get(url).status_code == 500
    assert "Exception on /p/[token] [GET]" in caplog.text and url.split("/")[-1] not in caplog.text
