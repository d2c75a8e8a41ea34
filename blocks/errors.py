"""Problems found in user input, collected so the CLI can print them all at once."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One mistake in a user's file: where it is, what is wrong, how to fix it."""

    file: str
    key: str
    message: str
    hint: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        text = f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"
        return f"{text}\n    -> {self.hint}" if self.hint else text


class UserError(Exception):
    """Raised for mistakes in the user's files; the CLI prints them without a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FieldError(ValueError):
    """A single value failed validation; carries a fix-it hint."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message = message
        self.hint = hint
