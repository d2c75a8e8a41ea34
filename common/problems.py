"""Problems found in user input, collected so a command can print them all at once."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a user's file or setting: where it is, what is wrong, how to fix it."""

    file: str
    key: str
    message: str
    hint: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = ": ".join(part for part in (where, self.key, self.message) if part)
        return f"{text}\n    -> {self.hint}" if self.hint else text


class FieldError(ValueError):
    """A single value failed validation; carries a fix-it hint (the caller adds file and key)."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
