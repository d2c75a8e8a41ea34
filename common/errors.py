"""The one user-error type and its families.

Every mistake a user can fix (a bad file, a wrong setting, an unknown address, a provider
that refuses the credentials) is a `NewsletterError`. The core raises it and never prints; the
command line (compose.py, `Commands.main`) prints it (`lines`) and turns it into the exit code
(README, "Exit codes"), in one place, like MkDocs' single abort path; the studio shows the
same lines on its pages. A traceback therefore always means a bug.

    NewsletterError            located problems (file:line: key: message -> hint), all at once
    ├── ConfigError            a missing or wrong setting: names it and how to fix it
    ├── StoreError             the subscriber store cannot do what was asked
    └── ProviderError          a mail provider or server refused a whole request
        ├── TransientError     ... for now (429, 5xx, 4xx SMTP, timeouts): retry later
        │   └── TemporaryRefusal   one family refused for now (SMTP 4xx): back to the queue
        ├── OutcomeUnknown     the request went out but its answer never came (in doubt)
        └── SendingStopped     the server can't be reached or asks to wait too long: stop the run
    FamiliesNotReached         a send finished, but some families did not get the issue

Nothing below the command layer calls sys.exit. (NewsletterError stays a click.ClickException
so that click's own parsing errors and ours share one path in compose.py.)
"""
from __future__ import annotations

from collections.abc import Iterable

import click

from common.problems import Problem


class NewsletterError(click.ClickException):
    """Mistakes a user can fix; `problems` says each one with its place and a hint."""

    exit_code = 1

    def __init__(self, problems: Iterable[Problem] | str, hint: str = "", *, outcome: str = "nothing was written"):
        if isinstance(problems, str):
            problems = [Problem("", "", problems, hint)]
        self.problems = list(problems)
        self.outcome = outcome
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return self.message

    def lines(self) -> list[str]:
        """What the user reads: every problem, then what happened because of them."""
        if len(self.problems) == 1 and not self.problems[0].file:
            return [f"error: {self.problems[0]}", f"({self.outcome})"] if self.outcome else [
                f"error: {self.problems[0]}"]
        count = len(self.problems)
        tail = f"{count} problem{'s' if count != 1 else ''} found" + (f"; {self.outcome}." if self.outcome else ".")
        return [str(p) for p in self.problems] + ["", tail]

    def show(self, file=None) -> None:
        click.echo("\n".join(self.lines()), file=file, err=file is None)


class ConfigError(NewsletterError):
    """A missing or bad setting (environment variable or publication setting), never a provider error."""

    def __init__(self, setting: str, message: str, hint: str, *, outcome: str = "nothing was sent"):
        self.setting = setting
        super().__init__([Problem("", setting, message, hint)], outcome=outcome)


class StoreError(NewsletterError):
    """The subscriber store cannot be used as asked (bad URL, unknown address, bad value)."""

    def __init__(self, message: str, hint: str = "", *, outcome: str = "nothing was changed"):
        super().__init__(message, hint, outcome=outcome)


class ProviderError(NewsletterError):
    """A mail provider or server refused a whole request for a reason that retrying won't fix."""

    def __init__(self, message: str, hint: str = "", *, status: int | None = None,
                 outcome: str = "the families not yet sent to stay unsent; rerun the same command"):
        self.status = status
        super().__init__(message, hint, outcome=outcome)


class TransientError(ProviderError):
    """A provider or server failed for now (rate limit, 5xx, 4xx SMTP reply, timeout, dropped
    connection): the same request may succeed later. `retry_after` is the wait it asked for;
    `unreachable` marks a failure to connect at all (refused, no such host, connect timeout)."""

    def __init__(self, message: str, hint: str = "", *, status: int | None = None, retry_after: float | None = None,
                 unreachable: bool = False):
        self.retry_after, self.unreachable = retry_after, unreachable
        super().__init__(message, hint, status=status)


class TemporaryRefusal(TransientError):
    """A server refused one family for now (SMTP 451/421/452: greylisting, a full mailbox, a busy
    server): not retried in place, holding the batch, but sent back to the queue with its own
    not-before time (mailer/send/sender.py), within the retry schedule."""


class OutcomeUnknown(ProviderError):
    """The request was sent but no answer came (a read timeout): the families in it are in doubt."""


class SendingStopped(ProviderError):
    """Going on would only fail or wait for hours (server unreachable, rate limit far away): the
    run stops, every family not handed over stays to send, and a later rerun sends them."""


class StoreUnreachable(StoreError):
    """The store's server or file could not be reached (down, locked, no permission): safe to rerun."""


class FamiliesNotReached(NewsletterError):
    """A send finished, but `count` families were not reached (rejected, failed, invalid, in doubt)."""

    def __init__(self, count: int, report_path=None, issue: str = "ISSUE"):
        self.count, self.report_path = count, report_path
        where = f"; the report: {report_path}" if report_path else ""
        super().__init__(f"{count:,} famil{'y' if count == 1 else 'ies'} did not get it{where}",
                         f"python compose.py report {issue} --failures lists each with the reason and what to do",
                         outcome="")
