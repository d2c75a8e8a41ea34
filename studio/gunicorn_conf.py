"""gunicorn settings for the staff studio (README, "Running it in production"):

    gunicorn -c studio/gunicorn_conf.py studio.wsgi:app

Beside the families' app, on its own port, behind the internal host's TLS proxy.
"""
bind = "127.0.0.1:8100"                 # only the proxy talks to it
workers = 2
preload_app = True                      # a bad setting stops the start once, with its reason
forwarded_allow_ips = "127.0.0.1"       # trust X-Forwarded-* from the local proxy only
timeout = 60                            # a preview renders every language at most once per request
accesslog = "-"
# no request path: a one-time sign-in link (/set-password/TOKEN) must not reach a log
access_log_format = '%(h)s %(t)s "%(m)s" %(s)s %(b)s %(M)sms'


def post_fork(server, worker):
    """Each worker opens its own database connections (none are shared across fork)."""
    from studio.wsgi import app
    app.config["studio"].store.engine.dispose(close=False)
