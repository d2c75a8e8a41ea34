"""`compose.py serve` (werkzeug with family_web.access_log.RequestHandler) answers a malformed
or oversized request line as werkzeug does, 400 or 414, and logs it without a traceback or a token."""
from __future__ import annotations

import socket
import threading

import pytest
from werkzeug.serving import make_server

from family_web.access_log import RequestHandler


@pytest.fixture
def port():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]
    server = make_server("127.0.0.1", 0, app, request_handler=RequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_port
    server.shutdown()


def answer(port: int, raw: bytes) -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(raw)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    return received.decode("latin-1")


@pytest.mark.parametrize("raw, status", [
    (b"GARBAGE /u/WzEsImVxdWl0eSJd.secret-token\r\n\r\n", "400"),
    (b"GET /u/WzEsImVxdWl0eSJd.secret-token HTTP/1.1 extra\r\n\r\n", "400"),
    (b"GET /u/" + b"A" * 70000 + b" HTTP/1.1\r\n\r\n", "414"),
])
def test_a_bad_request_line_gets_its_answer_and_no_traceback(port, capfd, caplog, raw, status):
    assert answer(port, raw).startswith(f"HTTP/1.1 {status} ")
    assert answer(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[:12] in \
        ("HTTP/1.1 200", "HTTP/1.0 200")                             # and serves the next request
    logged = caplog.text + "".join(capfd.readouterr())
    assert "Traceback" not in logged and "AttributeError" not in logged
    assert "secret-token" not in logged and "A" * 100 not in logged
