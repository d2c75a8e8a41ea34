"""For production servers: gunicorn -w 2 -b 0.0.0.0:8000 "preferences.wsgi:app" (from the repository root)."""
from preferences.app import create_app

app = create_app()
