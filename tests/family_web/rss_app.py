"""The production app (family_web.wsgi) with one more route for the tests: /__maxrss answers
this process's peak memory in KiB. Served by gunicorn (`tests.family_web.rss_app:app`) or, run
as `python -m tests.family_web.rss_app`, by `compose.py serve`'s werkzeug server on a free port."""
from __future__ import annotations

import resource

from family_web.wsgi import app as production


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/__maxrss":
        body = str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss).encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]
    return production(environ, start_response)


if __name__ == "__main__":
    from werkzeug.serving import run_simple
    from family_web.access_log import RequestHandler
    run_simple("127.0.0.1", 0, app, threaded=True, request_handler=RequestHandler)
