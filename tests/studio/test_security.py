"""Every studio route refuses anonymous requests and other publications' staff; sign-in limits,
sessions, CSRF and headers."""
from __future__ import annotations

import pytest

from tests.studio.conftest import PASSWORD, SECRET, add_staff, csrf, sign_in

# Every rule of the app's URL map and what an anonymous request gets: a page sends to the sign-in
# page, an API route answers 401, a public one answers itself. A new route must be added here.
EXPECTED = {
    "static": "public", "health": "public", "signin.sign_in": "public", "signin.set_password": "public",
    "oidc.start": "public", "oidc.callback": "public",
    "signin.sign_out": "page", "home.home": "page", "home.new": "page",
    "editor.edit": "page", "editor.save": "page", "editor.discard": "page", "editor.history": "page",
    "preview.html": "page", "preview.text": "page", "preview.image": "page",
    "edits.field": "api", "edits.blocks": "api", "edits.rows": "api", "edits.image": "api",
    "sending.page": "page", "sending.ready": "page", "sending.approve": "page", "sending.test_send": "page",
    "sending.confirm": "page", "sending.cancel": "page", "sending.move": "page", "sending.retry": "page",
    "sending.progress_page": "page", "sending.report": "page", "sending.failures_csv": "page",
    "sending.progress_events": "api", "sending.report_live": "api",
    "review.dashboard": "page", "review.block": "page", "review.save": "page", "review.preview": "page",
    "review.machine": "page", "review.chrome_page": "page", "review.chrome_save": "page",
    "families.search": "page", "families.family": "page", "families.unsubscribe": "page", "families.opt_in": "page",
    "families.roster": "page", "families.upload": "page", "families.apply": "page",
}
VALUES = {"publication": "equity", "issue": "2021-09-sept-oct", "lang": "en", "token": "x" * 20,
          "filename": "studio.css", "send_id": 1, "owner": "welcome", "number": 0,
          "family_id": 1, "name": "picture.jpg"}


def _requests(app):
    for rule in app.url_map.iter_rules():
        path = rule.build({name: VALUES[name] for name in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, path


def test_every_route_is_expected_and_refuses_anonymous_requests(app):
    client = app.test_client()
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(EXPECTED), \
        "a route was added or removed: say in EXPECTED what an anonymous request gets"
    for rule, method, path in _requests(app):
        answer = client.open(path, method=method)
        kind = EXPECTED[rule.endpoint]
        if kind == "page":
            assert answer.status_code == 302 and "/sign-in" in answer.location, (method, path)
        elif kind == "api":
            assert answer.status_code == 401, (method, path)
        else:
            assert answer.status_code < 500 and "/sign-in?" not in (answer.location or ""), (method, path)


def test_an_editor_of_food_gets_403_on_every_route_of_equity(app):
    client = app.test_client()
    sign_in(client, "fred@example.org")
    checked = 0
    for rule, method, path in _requests(app):
        if "publication" in rule.arguments:
            assert client.open(path, method=method).status_code == 403, (method, path)
            checked += 1
    assert checked >= 10
    assert client.get("/food/2021-09-sept-oct/").status_code == 200


def test_home_lists_only_the_publications_of_the_person(editor):
    page = editor.get("/").get_data(as_text=True)
    assert "Office of Equity" in page or "Equity" in page
    assert "/food/" not in page


def test_wrong_password_and_unknown_account_read_the_same_and_11_attempts_lock(app, clock):
    client = app.test_client()
    wrong = sign_in(client, "eve@example.org", "not the password at all")
    unknown = sign_in(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401
    assert _error(wrong) == _error(unknown)
    for _ in range(9):
        sign_in(client, "eve@example.org", "still wrong password")
        sign_in(client, "nobody@example.org", "still wrong password")
    locked, locked_unknown = sign_in(client, "eve@example.org"), sign_in(client, "nobody@example.org")
    assert locked.status_code == locked_unknown.status_code == 429          # the right password too
    assert _error(locked) == _error(locked_unknown) and "Too many" in _error(locked)
    clock.advance(minutes=16)
    assert sign_in(client, "eve@example.org").status_code == 302


def test_attempts_are_limited_per_address_too(app):
    client = app.test_client()
    for n in range(30):
        sign_in(client, f"guess{n}@example.org", "some guess here")
    assert sign_in(client, "eve@example.org").status_code == 429


def _error(answer) -> str:
    import re
    return re.search(r'role="alert"[^>]*>([^<]+)<', answer.get_data(as_text=True))[1]


def test_sessions_end_after_the_idle_timeout(editor, clock):
    clock.advance(minutes=29)
    assert editor.get("/").status_code == 200
    clock.advance(minutes=29)
    assert editor.get("/").status_code == 200               # each request starts the idle time again
    clock.advance(minutes=31)
    answer = editor.get("/")
    assert answer.status_code == 302 and "/sign-in" in answer.location
    assert "without activity" in editor.get(answer.location).get_data(as_text=True)


def test_a_request_does_not_rewrite_the_session_cookie_each_time(editor, clock):
    # The preview's frames load while Save is answered: had each answer re-sent the session cookie
    # it read before the save, the browser would keep one without the "Saved ..." message.
    clock.advance(seconds=30)
    assert "Set-Cookie" not in editor.get("/equity/2021-09-sept-oct/").headers
    clock.advance(seconds=31)
    assert "studio_session=" in editor.get("/").headers["Set-Cookie"]     # the idle time moves on


def test_removing_an_account_ends_its_sessions(app, editor):
    from studio import accounts
    accounts.remove(app.config["studio"].store, "eve@example.org")
    assert editor.get("/").status_code == 302


def test_a_forged_post_without_the_csrf_token_is_refused(editor):
    answer = editor.post("/api/equity/2021-09-sept-oct/field", data={"path": "title", "value": "Forged"})
    assert answer.status_code == 400
    assert editor.post("/equity/2021-09-sept-oct/save").status_code == 400
    good = editor.post("/api/equity/2021-09-sept-oct/field", data={"path": "title", "value": "Mine"},
                       headers={"X-CSRFToken": editor.token})
    assert good.status_code == 200


def test_cookies_and_security_headers(app):
    client = app.test_client()
    page = client.get("/sign-in")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert "frame-ancestors 'none'" in policy and page.headers["X-Frame-Options"] == "DENY"
    assert "<script>" not in page.get_data(as_text=True)


def test_secure_cookies_over_https(newsletters, studio_store, clock):
    from studio.app import create_app
    from studio.studio_settings import StudioSettings
    app = create_app(StudioSettings(secret_key=SECRET, public_url="https://studio.example.org"), store=studio_store,
                     newsletters_dir=newsletters, clock=clock)
    assert "Secure" in app.test_client().get("/sign-in").headers["Set-Cookie"]


def test_a_one_time_link_sets_a_password_once(app, clock):
    store = app.config["studio"].store
    token = add_staff(store, clock, "new@example.org", password=None)
    client = app.test_client()
    form = client.get(f"/set-password/{token}").get_data(as_text=True)
    weak = client.post(f"/set-password/{token}", data={"password": "password1234", "confirm": "password1234",
                                                        "csrf_token": csrf(form)})
    assert weak.status_code == 400 and "common" in weak.get_data(as_text=True).lower()
    short = client.post(f"/set-password/{token}", data={"password": "short", "confirm": "short",
                                                         "csrf_token": csrf(form)})
    assert "at least 12" in short.get_data(as_text=True)
    done = client.post(f"/set-password/{token}", data={"password": PASSWORD, "confirm": PASSWORD,
                                                        "csrf_token": csrf(form)})
    assert done.status_code == 302 and client.get("/").status_code == 200
    assert app.test_client().get(f"/set-password/{token}").status_code == 404       # used up
    later = add_staff(store, clock, "late@example.org", password=None)
    clock.advance(hours=25)
    assert app.test_client().get(f"/set-password/{later}").status_code == 404       # expired


def test_sign_ins_are_in_the_audit_log(app, editor):
    from studio import audit
    actions = [(e.actor, e.action) for e in audit.entries(app.config["studio"].store)]
    assert ("eve@example.org", "sign-in") in actions


def test_settings_refuse_a_missing_or_short_secret():
    from common.errors import ConfigError
    from studio.studio_settings import DEMO_SECRET, StudioSettings
    with pytest.raises(ConfigError, match="NEWSLETTER_STUDIO_SECRET"):
        StudioSettings.from_mapping({})
    with pytest.raises(ConfigError, match="too short"):
        StudioSettings.from_mapping({"NEWSLETTER_STUDIO_SECRET": "short"})
    demo = StudioSettings.from_mapping({}, allow_demo=True)
    assert demo.demo and demo.secret_key == DEMO_SECRET
    real = StudioSettings.from_mapping({"NEWSLETTER_STUDIO_SECRET": SECRET, "NEWSLETTER_STUDIO_OIDC_ISSUER": "https://x.org/",
                                        "NEWSLETTER_STUDIO_OIDC_CLIENT_ID": "id", "NEWSLETTER_STUDIO_OIDC_CLIENT_SECRET": "s",
                                        "NEWSLETTER_STUDIO_OIDC_ALLOWED_DOMAINS": "Example.org, @whps.org"})
    assert real.oidc_issuer == "https://x.org" and real.oidc_allowed_domains == ("example.org", "whps.org")
