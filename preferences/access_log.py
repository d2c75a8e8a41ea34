"""Access logs without tokens: a family's link (/u/TOKEN, /p/TOKEN) is a key to their
preferences, so no log line keeps one. `redact` strips it; `RequestHandler` does it for
`compose.py serve` (werkzeug), `GunicornLogger` for gunicorn (preferences/gunicorn_conf.py).
"""
from __future__ import annotations

import re

from werkzeug.serving import WSGIRequestHandler

_TOKEN = re.compile(r"/([up])/[^/?#\s\"]+")


def redact(text: str) -> str:
    """'POST /u/WzEsIjIwMjEi.abc HTTP/1.1' -> 'POST /u/[token] HTTP/1.1'."""
    return _TOKEN.sub(r"/\1/[token]", text)


class RequestHandler(WSGIRequestHandler):
    """werkzeug's request log, with tokens stripped."""

    def log_request(self, code="-", size="-") -> None:
        self.path, self.requestline = redact(self.path), redact(self.requestline)   # the app has run
        super().log_request(code, size)


try:
    from gunicorn.glogging import Logger as _GunicornBase
except ImportError:                      # gunicorn is for production; `serve` does not need it
    _GunicornBase = object


class GunicornLogger(_GunicornBase):
    """gunicorn's logger (logger_class), with tokens stripped from every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: redact(value) if isinstance(value, str) else value for name, value in atoms.items()}
