"""Every answer of the preference center, on every route of its URL map and its errors, carries
the security headers: a Content-Security-Policy without script that no other site may frame,
no Referer (tokens are in the addresses), no MIME sniffing."""
from __future__ import annotations

import re

from tests.family_web.conftest import link

SAMPLE_VALUES = {"publication": "equity", "issue": "2021-09-sept-oct", "name": "en", "filename": "x.css"}


def secured(response) -> list[str]:
    """What is missing from the answer's headers (empty: all there)."""
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {d.strip().split(" ")[0]: d.strip() for d in policy.split(";") if d.strip()}
    missing = []
    if "frame-ancestors 'none'" not in policy:
        missing.append("frame-ancestors 'none'")
    if "default-src 'none'" not in policy or "script-src" in directives or "'unsafe-inline'" in \
            directives.get("default-src", ""):
        missing.append("no script")
    if response.headers.get("Referrer-Policy") != "no-referrer":
        missing.append("Referrer-Policy")
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        missing.append("nosniff")
    return missing


def test_every_route_and_error_answers_with_the_security_headers(app, client, families):
    tokens = {"u": link(families, "ana@example.org", "u"), "p": link(families, "ana@example.org", "p")}
    checked = 0
    for rule in app.url_map.iter_rules():
        path = rule.rule
        if path.startswith("/u/") or path.startswith("/p/"):
            path = tokens[path[1]]
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLE_VALUES.get(m.group(1), "x"), path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={"List-Unsubscribe": "One-Click"}
                                   if method == "POST" else None)
            assert secured(response) == [], (rule.rule, method, response.status_code)
            checked += 1
    assert checked >= 12
    for path in ("/nothing/here/", "/u/forged", "/equity/2099-01-none/", "/equity/2021-09-sept-oct/xx.html"):
        response = client.get(path)
        assert response.status_code == 404 and secured(response) == [], path
    too_large = client.post(tokens["p"], data="x" * (2 * 1024 * 1024), content_type="text/plain")
    assert too_large.status_code == 413 and secured(too_large) == []


def test_a_feed_without_issues_takes_its_links_from_the_configured_address_not_the_host_header(client, families):
    for path in ("/equity/feed.atom", "/equity/"):
        response = client.get(path, headers={"Host": "evil.example"})
        body = response.get_data(as_text=True)
        assert response.status_code == 200 and "evil.example" not in body, path
    assert "https://prefs.example.org/equity" in client.get("/equity/feed.atom",
                                                           headers={"Host": "evil.example"}).get_data(as_text=True)
