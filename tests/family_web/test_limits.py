"""Request size limits on a real server: a 300 MB body is answered 413 without being read.

The app runs in a subprocess under gunicorn (production, family_web/gunicorn_conf.py) and
under `serve`'s werkzeug server; the client streams a generator body over a socket to
127.0.0.1 and stops when the answer comes, and the server reports its own peak memory
(resource.getrusage, tests/family_web/rss_app.py) before and after. Nothing here allocates
300 MB, and nothing depends on how long anything takes.
"""
from __future__ import annotations

import select
import socket
import sys
import time

import pytest

from tests.family_web import servers

MB = 1024 * 1024
HUGE = 300 * MB
PIECE = 64 * 1024


@pytest.fixture(params=["gunicorn", "serve"])
def server(request, tmp_path):
    """(port, paths): the webhook and a family's two links, each of which would read a body."""
    from mailer.send.links import LinkSigner
    from mailer.store.subscribers import Store
    with Store.open(f"sqlite:///{tmp_path / 'newsletter.db'}") as store:
        store.set_status("ana@example.org", "subscribed", by="test")
        family = store.get("ana@example.org").id
    signer = LinkSigner(servers.SECRET, "")
    env = servers.environment(tmp_path)
    running = servers.gunicorn(env, "tests.family_web.rss_app:app") if request.param == "gunicorn" else \
        servers._start([sys.executable, "-m", "tests.family_web.rss_app"], env)
    try:
        yield running.port, {"webhook": "/webhooks/sendgrid", "preferences": f"/p/{signer.token('p', family, 'equity/x')}",
                             "one-click": f"/u/{signer.token('u', family, 'equity/x')}"}
    finally:
        running.stop()


def maxrss_kib(port: int) -> int:
    return int(servers.get(port, "/__maxrss")[1])


def stream(port: int, path: str, *, chunked: bool, total: int = HUGE) -> tuple[int, int]:
    """POST `total` bytes from a generator, stopping when the server answers: (status, bytes sent).

    The webhook's headers pass its checks (fresh timestamp, well-formed signature), so
    without a Content-Length the server does read the body, up to its limit.
    """
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}"
    signature = (f"X-Twilio-Email-Event-Webhook-Signature: {'A' * 96}\r\n"
                 f"X-Twilio-Email-Event-Webhook-Timestamp: {int(time.time())}\r\n")
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     f"{signature}{framing}\r\n\r\n".encode())
        for piece in (b"a" * PIECE for _ in range(total // PIECE)):
            if select.select([sock], [], [], 0)[0]:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(piece)
        answer = b""
        while b"\r\n" not in answer and (more := sock.recv(65536)):
            answer += more
        return int(answer.split()[1]), sent


@pytest.mark.parametrize("route", ["webhook", "preferences", "one-click"])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_300_mb_body_is_refused_without_being_read(server, route, chunked):
    port, paths = server
    servers.get(port, "/healthz")                                       # warm up
    stream(port, paths[route], chunked=chunked, total=8 * MB)
    before = maxrss_kib(port)
    status, sent = stream(port, paths[route], chunked=chunked)
    assert status == 413
    assert sent < 64 * MB                        # answered long before the body ended
    assert maxrss_kib(port) - before < 32 * 1024, "the server's memory grew with the body"


def test_limits_apply_before_the_body_is_read(client, families):
    claims = {"CONTENT_LENGTH": str(6 * MB)}                   # said, not sent: nothing is read
    assert client.post("/webhooks/sendgrid", environ_overrides=claims, data=b"").status_code == 413
    page = client.post("/p/anything?lang=es", environ_overrides={"CONTENT_LENGTH": str(2 * MB)}, data=b"")
    assert page.status_code == 413 and "Esta solicitud es demasiado grande" in page.get_data(as_text=True)
    unsigned = client.post("/webhooks/sendgrid", data=b"[]" * (2 * MB))            # within the limit: 403
    assert unsigned.status_code == 403
