"""Errors of the sending side that the CLI prints as plain messages (never tracebacks)."""
from __future__ import annotations


class StoreError(Exception):
    """The subscriber store cannot be used as asked (bad URL, unknown address, bad value)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n    -> {self.hint}" if self.hint else self.message
