"""The preference center against a real store (SQLite and PostgreSQL, as in tests/mailer)."""
from __future__ import annotations

import pytest

from tests.mailer.conftest import AUDIENCES, run, store, store_url, write_roster  # noqa: F401 (fixtures)

from mailer.send.links import LinkSigner

SIGNER = LinkSigner("test-secret-0123456789abcdef-0123456789", "https://prefs.example.org")
FAMILIES = [
    ["ana@example.org", "Ana Pérez", "Spanish", "Aiken", "2"],
    ["omar@example.org", "Omar Haddad", "Arabic", "Hall", "10"],
    ["joe@example.org", "Joe Smith", "English", "Duffy", "K"],
]


@pytest.fixture
def families(store, write_roster, run):  # noqa: F811
    assert run("subscribers", "import", write_roster(FAMILIES)).exit_code == 0
    return store


@pytest.fixture
def app(families):
    from mailer.audiences.audiences_file import load_audiences
    from family_web.web_app import create_app
    from tests.conftest import ROOT
    newsletters = ROOT / "newsletters"
    return create_app(store=families, signer=SIGNER, audiences=load_audiences(AUDIENCES), webhook_key="", newsletters_dir=newsletters)


@pytest.fixture
def client(app):
    return app.test_client()


def link(store, email: str, purpose: str = "u", issue: str = "equity/2021-09-sept-oct") -> str:
    return f"/{purpose}/{SIGNER.token(purpose, store.get(email).id, issue)}"


def follows(store, email: str, publication: str = "equity") -> bool:
    """Whether the family still gets `publication` (a default_subscribe one: no row, or "subscribed")."""
    from mailer.store.subscriptions import subscriptions_of
    with store.read() as connection:
        return subscriptions_of(connection, store.get(email).id).get(publication, "subscribed") == "subscribed"
