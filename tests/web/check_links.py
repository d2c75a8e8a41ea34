"""Follow every link of every .eml in an outbox. Those on the preference center's address are
requested and must answer 200; the others (the district's website, Google Calendar, mailto:,
tel:) are listed, never requested (no network).

    python compose.py demo && python compose.py serve --demo      # then, in another terminal:
    python tests/web/check_links.py outbox/2021-09-sept-oct http://127.0.0.1:8000

Prints one line per address (its status and how many messages carry it) and exits 1 if any
link on the preference center's address does not answer 200.
"""
from __future__ import annotations

import email
import html
import re
import sys
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

_HREF = re.compile(r'href="([^"]+)"')
_URL = re.compile(r"(?:https?|webcal)://[^\s<>\"')\]]+")


def links_of(message) -> list[str]:
    """Every address a message carries: the HTML part's links, the text part's, List-Unsubscribe's."""
    found: list[str] = []
    for part in message.walk():
        if part.get_content_type() == "text/html":
            found += [html.unescape(href) for href in _HREF.findall(part.get_content())]
        elif part.get_content_type() == "text/plain":
            found += [url.rstrip(".,;:") for url in _URL.findall(part.get_content())]
    found += re.findall(r"<([^>]+)>", str(message.get("List-Unsubscribe", "")))
    return list(dict.fromkeys(found))


@dataclass
class Checked:
    status: dict[str, int] = field(default_factory=dict)      # address on the base -> HTTP status
    carried: Counter = field(default_factory=Counter)          # address -> messages carrying it
    external: set[str] = field(default_factory=set)            # listed, not requested
    messages: int = 0

    @property
    def failed(self) -> dict[str, int]:
        return {url: status for url, status in self.status.items() if status != 200}


def check(outbox: Path, base: str, fetch) -> Checked:
    """`fetch(path)` -> HTTP status, for each address under `base` (asked once each)."""
    result = Checked()
    for path in sorted(outbox.rglob("*.eml")):
        result.messages += 1
        for url in links_of(email.message_from_bytes(path.read_bytes(), policy=policy.default)):
            result.carried[url] += 1
            if url.startswith(base.rstrip("/") + "/"):
                if url not in result.status:
                    result.status[url] = fetch(url[len(base.rstrip("/")):])
            else:
                result.external.add(url)
    return result


def missing_in_folder(folder: Path, base: str) -> list[tuple[str, str]]:
    """Every link of every .html file in `folder` (a static site, `publish --to`) that names no
    file there: relative ones, and absolute ones under `base` (the site's address). A folder
    stands for its index.html, as on a static host; query strings and fragments are dropped.
    Returns (file, link) pairs; links elsewhere (mailto:, https://other...) are not checked."""
    missing = []
    root = folder.resolve()
    for page in sorted(folder.rglob("*.html")):
        for href in re.findall(r'(?:href|src)="([^"]+)"', page.read_text(encoding="utf-8")):
            link = html.unescape(href)
            if link.startswith(base.rstrip("/") + "/"):
                target = root / link[len(base.rstrip("/")) + 1:]
            elif re.match(r"[a-z][a-z0-9+.-]*:|//|#", link):
                continue
            else:
                target = page.parent.resolve() / link
            target = Path(str(target).split("?")[0].split("#")[0])
            if target.is_dir() or link.split("?")[0].endswith("/"):
                target = target / "index.html"
            if not target.is_file() or not target.resolve().is_relative_to(root):
                missing.append((str(page.relative_to(folder)), link))
    return missing


def http_fetch(server: str):
    """GET `server` + path without following redirects: the status itself."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None
    opener = urllib.request.build_opener(NoRedirect, urllib.request.ProxyHandler({}))

    def fetch(path: str) -> int:
        try:
            with opener.open(server.rstrip("/") + path, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as e:
            return e.code
    return fetch


def main(argv: list[str]) -> int:
    outbox, base = Path(argv[0]), argv[1]
    result = check(outbox, base, http_fetch(argv[2] if len(argv) > 2 else base))
    for url, status in sorted(result.status.items()):
        print(f"{status}  {url}  ({result.carried[url]} messages)")
    for url in sorted(result.external):
        print(f"---  {url}  (not on {base}: not requested)")
    print(f"{result.messages} messages, {len(result.status)} addresses asked, {len(result.failed)} failed")
    return 1 if result.failed or not result.status else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
