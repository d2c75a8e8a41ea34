"""The studio against a copy of newsletters/ and a SQLite store, on a clock the test moves."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from tests.conftest import ROOT

SECRET = "studio-test-secret-0123456789-0123456789"
PASSWORD = "violet tractor harbour 42"
SAMPLE = "2021-09-sept-oct"


@contextmanager
def served(app):
    """`app` on 127.0.0.1 in a thread (threaded: a page, its preview frames and its streams at
    once); yields its address."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


class Clock:
    def __init__(self):
        self.now = dt.datetime(2021, 10, 20, 9, 0, tzinfo=dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs) -> None:
        self.now += dt.timedelta(**kwargs)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def newsletters(tmp_path, monkeypatch):
    """A copy of the project's newsletters/ in a scratch folder, which is the current folder."""
    shutil.copytree(ROOT / "newsletters", tmp_path / "newsletters")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "newsletters"


@pytest.fixture
def studio_store(tmp_path):
    from mailer.store.subscribers import Store
    with Store.open(f"sqlite:///{tmp_path / 'var' / 'studio.db'}") as store:
        yield store


def add_staff(store, clock, email: str, role: str = "editor", publications=("equity",), password: str | None = PASSWORD):
    from studio import accounts
    grants = [("admin", accounts.EVERY)] if role == "admin" else [(role, p) for p in publications]
    token = accounts.add(store, email, email.split("@")[0].title(), grants, clock())
    if password:
        accounts.set_password(store, accounts.by_email(store, email).id, password, clock())
    return token


@pytest.fixture
def app(newsletters, studio_store, clock):
    from studio.app import create_app
    from studio.studio_settings import StudioSettings
    add_staff(studio_store, clock, "eve@example.org")                                 # equity editor
    add_staff(studio_store, clock, "fred@example.org", publications=("food",))        # food editor
    add_staff(studio_store, clock, "ada@example.org", role="admin")
    return create_app(StudioSettings(secret_key=SECRET), store=studio_store, newsletters_dir=newsletters, clock=clock)


def csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(r'"X-CSRFToken": "([^"]+)"', html)
    return found[1]


def sign_in(client, email: str, password: str = PASSWORD):
    token = csrf(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def editor(app):
    """A test client signed in as the equity editor, with the page's CSRF token at hand."""
    client = app.test_client()
    assert sign_in(client, "eve@example.org").status_code == 302
    client.token = csrf(client.get("/").get_data(as_text=True))
    return client


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """argon2id with the least work: the tests check behaviour, not the cost of a guess."""
    from argon2 import PasswordHasher
    from studio import accounts
    quick = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_HASHER", quick)
    monkeypatch.setattr(accounts, "_DUMMY", quick.hash("dummy"))
