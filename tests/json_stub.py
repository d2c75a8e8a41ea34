"""What the local stubs share (tests/deepl_stub.py, tests/google_stub.py, tests/mailer/http_stub.py):
the server's life on 127.0.0.1; for the translation stubs, an HTTP handler
that reads the query and a form or JSON body into one dict of parameters, asks the stub for
(status, JSON answer), and writes it; and running a stub from the command line."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 (`port` 0: any free one), served while in a `with`."""

    def _serve_on(self, port: int, handler) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_):
        self.server.shutdown()
        self.server.server_close()


def json_handler(answer, key_of, repeated: str, content_type: str = "application/json"):
    """A handler class: `answer(method, path, params, key)` -> (status, payload); `key_of(headers,
    params)` the API key sent; `repeated` the parameter that is always a list (the texts)."""
    def flat(pairs: dict) -> dict:
        return {k: v[0] if len(v) == 1 and k != repeated else v for k, v in pairs.items()}

    class Handler(BaseHTTPRequestHandler):
        def _serve(self, method: str):
            url = urlsplit(self.path)
            params = flat(parse_qs(url.query))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if body and "json" in (self.headers.get("Content-Type") or ""):
                params.update(json.loads(body))
            elif body:
                params.update(flat(parse_qs(body.decode())))
            status, payload = answer(method, url.path, params, key_of(self.headers, params))
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def log_message(self, *args):
            pass
    return Handler


def serve_until_interrupted(stub, banner: str) -> None:
    print(f"{banner} at {stub.url}; Ctrl-C stops it.", flush=True)
    try:
        stub.server.serve_forever()
    except KeyboardInterrupt:
        pass
