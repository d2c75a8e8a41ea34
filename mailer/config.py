"""Settings the sending side reads from the environment (a bad one raises common.errors.ConfigError).

Secrets (NEWSLETTER_SECRET, SMTP_PASSWORD, SENDGRID_API_KEY) only ever come from here.
"""
from __future__ import annotations

import os

from common.errors import ConfigError


def setting(name: str, default: str | None = None, hint: str = "") -> str:
    value = os.environ.get(name) or default
    if value is None:
        raise ConfigError(name, "is not set", hint or f"export {name}=...")
    return value


def integer(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(name, f"'{raw}' is not a whole number", f"export {name}={default}") from None
