"""Signing in through an OpenID provider: oauth2-mock-server, started on 127.0.0.1 by the test
(npm ci --prefix .ci/node). Discovery, the code flow with PKCE, the id_token checked by Authlib."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from tests.conftest import ROOT
from tests.studio.conftest import SECRET

NODE_MODULES = ROOT / ".ci" / "node" / "node_modules"
PROVIDER = Path(__file__).with_name("oidc_provider.mjs")


@pytest.fixture
def provider(request):
    email = getattr(request, "param", "eve@example.org")
    if not (NODE_MODULES / "oauth2-mock-server").is_dir() or not shutil.which("node"):
        reason = "oauth2-mock-server is not installed (npm ci --prefix .ci/node)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason + ": .ci/run installs it")
        pytest.skip(reason)
    process = subprocess.Popen(["node", str(PROVIDER), email, str(NODE_MODULES)], stdout=subprocess.PIPE, text=True)
    try:
        issuer = process.stdout.readline().strip()
        assert issuer.startswith("http://127.0.0.1:"), "the OpenID provider did not start"
        yield issuer
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def oidc_app(newsletters, studio_store, clock, provider):
    from studio.app import create_app
    from studio.studio_settings import StudioSettings
    from tests.studio.conftest import add_staff
    add_staff(studio_store, clock, "eve@example.org")
    settings = StudioSettings(secret_key=SECRET, oidc_issuer=provider, oidc_client_id="studio-test",
                              oidc_client_secret="test-secret", oidc_allowed_domains=("example.org",))
    return create_app(settings, store=studio_store, newsletters_dir=newsletters, clock=clock)


def _through_provider(client):
    start = client.get("/sign-in/district?next=/equity/2021-09-sept-oct/")
    assert start.status_code == 302
    authorize = urlsplit(start.location)
    assert "code_challenge=" in authorize.query and "code_challenge_method=S256" in authorize.query
    assert "nonce=" in authorize.query
    back = requests.get(start.location, allow_redirects=False, timeout=10)
    done = urlsplit(back.headers["Location"])
    return client.get(f"{done.path}?{done.query}")


def test_a_staff_member_signs_in_through_the_identity_provider(oidc_app):
    client = oidc_app.test_client()
    assert "Sign in with your district account" in client.get("/sign-in").get_data(as_text=True)
    answer = _through_provider(client)
    assert answer.status_code == 302 and answer.location == "/equity/2021-09-sept-oct/"
    assert client.get("/").status_code == 200
    from studio import audit
    assert any(e.action == "sign-in" and "OpenID" in e.detail for e in audit.entries(oidc_app.config["studio"].store))


@pytest.mark.parametrize("provider", ["stranger@example.org", "eve@elsewhere.org"], indirect=True)
def test_no_account_or_another_domain_is_refused(oidc_app):
    client = oidc_app.test_client()
    assert _through_provider(client).status_code == 403
    assert client.get("/").status_code == 302


def test_a_forged_answer_is_refused(oidc_app):
    client = oidc_app.test_client()
    client.get("/sign-in/district")
    assert client.get("/sign-in/district/done?code=made-up&state=made-up").status_code == 403
