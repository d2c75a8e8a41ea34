"""The issue's acceptance, as staff would run it: after `compose.py demo` and `compose.py serve
--demo`, every link of every .eml in the outbox answers 200 (tests/web/check_links.py, the same
script anyone can run by hand), and the Sept/Oct 2021 web edition offers every language edition
by its own name, the Arabic one right-to-left."""
from __future__ import annotations

import re

from tests.family_web import servers
from tests.family_web.test_production import demo_folder  # noqa: F401 (fixture: `compose.py demo` in tmp)
from tests.web.check_links import check, http_fetch

DEMO = "http://127.0.0.1:8000"
WEB = "/equity/2021-09-sept-oct"


def test_after_the_demo_every_link_in_the_outbox_answers_200(demo_folder):  # noqa: F811
    folder, env = demo_folder
    running = servers.serve(env, "--demo", cwd=folder)
    try:
        served = f"http://127.0.0.1:{running.port}"
        checked = check(folder / "outbox" / "equity" / "2021-09-sept-oct", DEMO, http_fetch(served))
        food = check(folder / "outbox" / "food" / "2021-09-sept-oct", DEMO, http_fetch(served))   # the second office
        status, arabic = servers.get(running.port, f"{WEB}/ar.html")
        status_index, index = servers.get(running.port, f"{WEB}/")
        archive_status, archive = servers.get(running.port, "/equity/")
    finally:
        log = running.stop()
    assert checked.messages == 50 and len(checked.status) > 100 and checked.failed == {}
    assert food.messages == 50 and food.failed == {} and any("/food/2021-09-sept-oct/" in url for url in food.status)
    sent = {path.name.replace("_", "-") for path in (folder / "outbox" / "equity" / "2021-09-sept-oct").iterdir()
            if path.is_dir()}                       # every edition a family got, machine ones included
    assert {"en", "es", "ar"} <= sent
    assert {url for url in checked.status if url.endswith(".html")} == {f"{DEMO}{WEB}/{lang}.html" for lang in sent}
    assert sum(url.endswith(".ics") for url in checked.status) >= 6
    assert status == 200 and re.search(r'<html lang="ar" dir="rtl">', arabic)
    assert status_index == 200 and archive_status == 200
    for page in (arabic, index):
        for name in ("English", "Español", "العربية"):
            assert f">{name}<" in page
    assert 'href="2021-09-sept-oct/en.html"' in archive
    assert f"the web editions and archives are at {DEMO}/equity/, {DEMO}/food/" in log


def test_the_demo_says_how_to_open_the_web_edition(demo_folder):  # noqa: F811
    import subprocess
    import sys
    folder, env = demo_folder
    again = subprocess.run([sys.executable, str(servers.ROOT / "compose.py"), "demo"], cwd=folder, env=env,
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "python compose.py serve --demo" in again.stdout
    assert f"then open {DEMO}{WEB}/ (the web edition) or {DEMO}/equity/ (the archive)" in again.stdout
