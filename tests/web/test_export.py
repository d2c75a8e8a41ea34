"""`compose.py publish ISSUE --to DIR`: the same pages the preference center serves, as files."""
from __future__ import annotations

from tests.web.conftest import ISSUE, WEB


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
