"""For production servers (README, "Running it in production"), from the repository root:

    gunicorn -c family_web/gunicorn_conf.py family_web.wsgi:app

Like the command line, this entry point turns a user mistake into its message and an exit:
without a NEWSLETTER_SECRET of at least 32 random characters, or with a
SENDGRID_WEBHOOK_PUBLIC_KEY that is not SendGrid's ECDSA key, it prints what to fix and
stops the server (exit code 3, which gunicorn reads as "failed to boot": no restart loop).
"""
import sys

from common.errors import NewsletterError
from common.settings import Settings
from family_web.web_app import create_app

try:
    app = create_app(Settings.from_env())
except NewsletterError as error:
    error.show(sys.stderr)
    raise SystemExit(3) from None
