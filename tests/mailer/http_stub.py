"""A tiny HTTP server on 127.0.0.1 that answers with a programmed sequence of responses."""
from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from tests.json_stub import LocalServer


class Stub(LocalServer):
    def __init__(self, responses: list[tuple[int, dict, dict | None]]):
        self.responses = list(responses)         # (status, headers, json body); the last one repeats
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                stub.requests.append({"path": self.path, "headers": dict(self.headers), "json": json.loads(body)})
                status, headers, payload = stub.responses.pop(0) if len(stub.responses) > 1 else stub.responses[0]
                data = json.dumps(payload).encode() if payload is not None else b""
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self._serve_on(0, Handler)
