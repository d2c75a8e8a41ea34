"""For production servers (README, "Running it in production"), from the repository root:

    gunicorn -c studio/gunicorn_conf.py studio.wsgi:app

A separate app from the families' one, with its own secret (NEWSLETTER_STUDIO_SECRET), meant for an
internal host. A missing or short secret prints what to fix and stops the server (exit code 3:
gunicorn's "failed to boot", no restart loop).
"""
import sys

from common.errors import NewsletterError
from studio.app import create_app
from common.settings import Settings
from mailer.store.subscribers import Store
from studio.studio_settings import StudioSettings

try:
    settings = Settings.from_env()
    from studio.send_pages import SendDesk
    app = create_app(StudioSettings.from_settings(settings),
                     store=Store.of(settings),
                     sending=SendDesk(settings, backend=settings.studio_backend or "outbox"))
except NewsletterError as error:
    error.show(sys.stderr)
    raise SystemExit(3) from None
