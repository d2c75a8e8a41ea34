"""Settings the sending side reads from the environment, and their errors.

Secrets (NEWSLETTER_SECRET, SMTP_PASSWORD, SENDGRID_API_KEY) only ever come from here.
"""
from __future__ import annotations

import os


class ConfigError(Exception):
    """A missing or bad setting: names the setting and how to fix it (never a provider error)."""

    def __init__(self, setting: str, message: str, hint: str):
        super().__init__(f"{setting}: {message}")
        self.setting, self.message, self.hint = setting, message, hint

    def __str__(self) -> str:
        return f"{self.setting}: {self.message}\n    -> {self.hint}"


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
