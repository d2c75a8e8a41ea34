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
    """A whole number of at least 0 (retries, a port, a pool size)."""
    return int(_number(name, default, int, "a whole number"))


def seconds(name: str, default: float) -> float:
    """A number of seconds of at least 0, e.g. 2 or 0.5."""
    return _number(name, default, float, "a number of seconds")


def _number(name: str, default, kind, what: str):
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value < 0 or value != value:           # (NaN)
        raise ConfigError(name, f"'{raw}' is not {what} (0 or more)", f"export {name}={default}") from None
    return value
