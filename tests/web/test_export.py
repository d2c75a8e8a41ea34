"""`compose.py publish ISSUE --to DIR`: the same pages the preference center serves, as files."""
from __future__ import annotations

import re

from blocks.loader import load_publication
from mailer.publish.naming import own_name, tag
from tests.web.check_links import missing_in_folder
from tests.web.conftest import BASE, ISSUE, WEB


def test_publish_writes_what_the_preference_center_serves(families, send, run, client, newsletters, tmp_path):
    assert send().exit_code == 0
    out = tmp_path / "site"
    result = run("publish", newsletters / "equity" / ISSUE, "--to", out)
    assert result.exit_code == 0, result.output
    written = sorted(str(path.relative_to(out)) for path in out.rglob("*") if path.is_file())
    assert f"Wrote {len(written)} files" in result.output and "sets no web_base_url" in result.output
    assert set(written) >= {f"{ISSUE}/index.html", *(f"{ISSUE}/{lang}.html" for lang in ("en", "es", "ar")),
                            *(f"{ISSUE}/{name}-{lang}.ics" for name in ("kickoff", "foodshare-october")
                              for lang in ("en", "es")),
                            "index.html", "feed.atom", *(f"foodshare-{lang}.ics" for lang in ("en", "es", "ar"))}
    for name in ("en.html", "ar.html", "kickoff-es.ics", "index.html"):
        assert (out / ISSUE / name).read_bytes() == client.get(f"{WEB}/{name.replace('index.html', '')}").get_data()
    assert (out / "index.html").read_bytes() == client.get("/equity/").get_data()
    assert (out / "feed.atom").read_bytes() == client.get("/equity/feed.atom").get_data()

    again = run("publish", newsletters / "equity" / ISSUE, "--to", out)                # replaces, leaves nothing behind
    assert again.exit_code == 0
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()) == written
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_publish_refuses_an_issue_that_was_never_sent(families, run, newsletters, tmp_path):
    result = run("publish", newsletters / "equity" / ISSUE, "--to", tmp_path / "site")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"{ISSUE} has not been published: nothing of it was sent yet" in result.stderr
    assert "python compose.py send " in result.stderr and f"equity/{ISSUE} --to" in result.stderr and not (tmp_path / "site").exists()


def _switch(page: str) -> list[tuple[str, str]]:
    """The archive's language switcher: (href, the language's own name) in order."""
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page, re.S).group(1)
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)


def test_a_static_copy_switches_language_with_a_file_per_language(families, send, run, client, newsletters,
                                                                   tmp_path):
    """A static host serves index.html whatever ?lang= says: each language is a file of its own, and
    every link of every page written names a file that was written (or is elsewhere: mailto:...)."""
    assert send().exit_code == 0
    out = tmp_path / "site"
    assert run("publish", newsletters / "equity" / ISSUE, "--to", out).exit_code == 0
    languages = load_publication(newsletters / "equity" / "publication.yaml").languages
    archives = {"index.html", *(f"index.{tag(code)}.html" for code in languages[1:])}
    assert {p.name for p in out.glob("index*.html")} == archives
    assert {p.name for p in (out / ISSUE).glob("index*.html")} == {"index.html", "index.es.html", "index.ar.html"}
    assert missing_in_folder(out, f"{BASE}/equity") == []

    spanish = (out / "index.es.html").read_text(encoding="utf-8")
    assert '<html lang="es" dir="ltr">' in spanish and "Números anteriores" in spanish
    switch = _switch(spanish)
    assert switch[0] == ("index.html", "English") and ("index.es.html", "Español") in switch
    assert ("index.ar.html", "العربية") in switch and ("index.zh-Hans.html", own_name("zh_Hans")) in switch
    assert re.search(r'<a href="index\.es\.html"[^>]*aria-current="true"', spanish) and "?lang=" not in spanish
    assert f'href="{ISSUE}/es.html"' in spanish
    for code in ("ar", "ur"):
        page = (out / f"index.{code}.html").read_text(encoding="utf-8")
        assert f'<html lang="{code}" dir="rtl">' in page
    assert '<html lang="en" dir="ltr">' in (out / "index.html").read_text(encoding="utf-8")

    issue_es = (out / ISSUE / "index.es.html").read_text(encoding="utf-8")
    assert '<html lang="es"' in issue_es and "Lea este número" in issue_es and 'href="kickoff-es.ics"' in issue_es
    assert 'href="../index.es.html"' in issue_es                                  # "All issues", in Spanish
    assert '<html lang="ar" dir="rtl">' in (out / ISSUE / "index.ar.html").read_text(encoding="utf-8")
    arabic = (out / ISSUE / "ar.html").read_text(encoding="utf-8")                 # the edition: back in Arabic
    assert 'href="../index.ar.html"' in arabic and 'href="index.ar.html"' in arabic
    for name in ("index.html", "index.es.html", f"{ISSUE}/index.ar.html"):        # the app answers the same names
        assert (out / name).read_bytes() == client.get(f"/equity/{name}").get_data()
    assert client.get("/equity/index.fr.html").status_code == 404
    assert client.get(f"/equity/{ISSUE}/index.pt.html").status_code == 404        # no Portuguese edition of it

    (out / ISSUE / "kickoff-ar.ics").unlink()                                     # the check sees a missing file
    assert (f"{ISSUE}/ar.html", f"{BASE}{WEB}/kickoff-ar.ics") in missing_in_folder(out, f"{BASE}/equity")
    (out / "index.ar.html").unlink()
    assert (f"{ISSUE}/ar.html", "../index.ar.html") in missing_in_folder(out, f"{BASE}/equity")
