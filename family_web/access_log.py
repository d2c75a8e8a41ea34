"""Access logs without tokens: a family's link (/u/TOKEN, /p/TOKEN) is a key to their
preferences, so no log line keeps one. `redact` strips it; `RequestHandler` does it for
`compose.py serve` (werkzeug), `GunicornLogger` for gunicorn (family_web/gunicorn_conf.py).
"""
from __future__ import annotations

import re

from werkzeug.serving import WSGIRequestHandler

_TOKEN = re.compile(r"/([up])/[^/?#\s\"]+")


def redact(text: str) -> str:
    """'POST /u/WzEsIjIwMjEi.abc HTTP/1.1' -> 'POST /u/[token] HTTP/1.1'."""
    return _TOKEN.sub(r"/\1/[token]", text)


class RequestHandler(WSGIRequestHandler):
    """werkzeug's request log, with tokens stripped. A request line too malformed or too long to
    parse (answered 400 or 414 before any path is known) is logged like any other, and its 400
    answer has a status line (http.server takes the client for an HTTP/0.9 one until the line is
    read, and answers those with the page alone). HTTP/1.1 declared here, as werkzeug would set it on
    the class for `serve`'s threaded server: the same in every server, whatever ran before."""

    default_request_version = "HTTP/1.0"
    protocol_version = "HTTP/1.1"

    def log_request(self, code="-", size="-") -> None:
        if hasattr(self, "path"):                  # not set when the request line could not be read
            self.path = redact(self.path)          # (the app has run, or never will)
        self.requestline = redact(getattr(self, "requestline", ""))
        super().log_request(code, size)

    def log(self, type: str, message: str, *args) -> None:
        """Every log line (errors too: "Bad request syntax ('GET /u/TOKEN ...')") without a token."""
        super().log(type, message, *(redact(a) if isinstance(a, str) else a for a in args))


try:
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:                      # gunicorn is for production; `serve` does not need it
    _GunicornBase = object


class GunicornLogger(_GunicornBase):
    """gunicorn's logger (logger_class), with tokens stripped from every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}
