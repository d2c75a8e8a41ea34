"""Web editions as families meet them: the sample issue sent with the real `send` command (outbox,
or smtp to a local sink) into a test store, and the preference center that serves what it published."""
from __future__ import annotations

import shutil
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import ROOT
from tests.mailer.conftest import AUDIENCES, run, store, store_url, write_roster  # noqa: F401 (fixtures)
from tests.family_web.conftest import FAMILIES, SIGNER, families  # noqa: F401 (fixtures)

BASE = SIGNER.base_url                      # where the messages' links point (the app's address)
ISSUE = "2021-09-sept-oct"
WEB = f"/equity/{ISSUE}"                   # the issue's path on the preference center


@pytest.fixture
def newsletters(tmp_path):
    """A copy of newsletters/ (publication.yaml, the sample issue, its translations) to edit."""
    target = tmp_path / "newsletters"
    shutil.copytree(ROOT / "newsletters", target)
    i18n = target / "equity" / ISSUE / "i18n"
    for machine_made in [*i18n.glob("*.po"), i18n / "machine-run.json"]:    # the human editions: en, es, ar
        if machine_made.name not in ("es.po", "ar.po"):
            machine_made.unlink()
    return target


@pytest.fixture
def send(run, tmp_path, monkeypatch, newsletters):  # noqa: F811
    """`compose.py send newsletters/<publication>/<issue> --to all-families --yes ...` against the test store."""
    monkeypatch.setenv("NEWSLETTER_SECRET", SIGNER.secret)
    monkeypatch.setenv("NEWSLETTER_BASE_URL", BASE)

    def invoke(*args, issue: str = ISSUE):
        return run("send", newsletters / "equity" / issue, "--to", "all-families", "--outbox", tmp_path / "outbox",
                   "--reports", tmp_path / "reports", "--yes", *args)
    return invoke


@pytest.fixture
def app(families, newsletters):  # noqa: F811
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    return create_app(store=families, signer=SIGNER, audiences=load_audiences(AUDIENCES), webhook_key="", newsletters_dir=newsletters)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def static_host(tmp_path):
    """A plain static web server on 127.0.0.1 (a district's web host): (folder it serves, its address)."""
    folder = tmp_path / "site"
    folder.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield folder, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
