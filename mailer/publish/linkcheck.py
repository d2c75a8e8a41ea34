"""No dead links at send time: the web addresses the messages carry are published and answer 200.

    carried(html, web_url)      the addresses under the issue's web address that a message links to
    unpublished(links, ...)     those the store has nothing for (a bug or a half-published issue)
    head(url)                   None if the address answers 200 to a HEAD request, else what it did

A real send (smtp, sendgrid) asks each language's web edition and one calendar file, with a short
timeout, before any family gets a message; the outbox only checks the store (nothing needs to run).
"""
from __future__ import annotations

import html as html_escaping
import http.client
import re
import urllib.error
import urllib.request

TIMEOUT = 5.0                          # seconds for each HEAD request
_HREF = re.compile(r'href="([^"]+)"')


def carried(html: str, web_url: str) -> list[str]:
    """Every address under `web_url` that `html` links to, once each, in order."""
    found = []
    for href in _HREF.findall(html):
        url = html_escaping.unescape(href)
        if url.startswith(web_url + "/") and url not in found:
            found.append(url)
    return found


def unpublished(links: list[str], web_url: str, names: set[str]) -> list[str]:
    """The links whose file (after `web_url`/) is not among the published `names`."""
    return [url for url in links if url[len(web_url) + 1:].split("?")[0] not in names]


def to_ask(links: list[str]) -> list[str]:
    """What a send asks the server for: every web edition, and one calendar file."""
    pages = [url for url in links if url.split("?")[0].endswith(".html")]
    calendars = [url for url in links if url.split("?")[0].endswith(".ics")]
    return pages + calendars[:1]


def head(url: str, timeout: float = TIMEOUT) -> str | None:
    """None if `url` answers 200 (after redirects) to HEAD; else what happened, in words."""
    request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "newsletter-link-check"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status = response.status
    except urllib.error.HTTPError as e:
        return f"answered {e.code} {e.reason}"
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, TimeoutError):
            return f"did not answer within {timeout:g} seconds"
        return f"could not be reached ({getattr(reason, 'strerror', None) or reason})"
    except TimeoutError:
        return f"did not answer within {timeout:g} seconds"
    except (http.client.HTTPException, OSError, ValueError) as e:
        return f"could not be reached ({e})"
    return None if status == 200 else f"answered {status}"
