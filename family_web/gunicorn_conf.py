"""gunicorn settings for the preference center (README, "Running it in production"):

    gunicorn -c family_web/gunicorn_conf.py family_web.wsgi:app

Behind a TLS proxy on the same machine; every value can be overridden on the command line
(e.g. `-b 127.0.0.1:9000 -w 4`).
"""
bind = "127.0.0.1:8000"                 # only the proxy talks to it
workers = 2                             # sync workers: one request each, the connection closed after it
preload_app = True                      # a bad setting stops the start once, with its reason
forwarded_allow_ips = "127.0.0.1"       # trust X-Forwarded-* from the local proxy only
timeout = 30
limit_request_line = 4094               # a token is about 60 characters
limit_request_fields = 50
accesslog = "-"                         # standard output, without tokens:
logger_class = "family_web.access_log.GunicornLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms'   # no referrer, no user agent


def post_fork(server, worker):
    """Each worker opens its own database connections (none are shared across fork)."""
    from family_web.wsgi import app
    app.config["store"].engine.dispose(close=False)
