"""What every backend does: take personalized messages, deliver them, say what happened to each.

Like django-anymail: building the provider's request, posting it and reading its answer are
separate steps; every recipient ends with one status from a closed set; settings problems
raise ConfigError (mailer.config), never a provider error.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mailer.message.mime import Envelope, MessageTemplate

QUEUED, SENT, REJECTED, FAILED, INVALID = "queued", "sent", "rejected", "failed", "invalid"
DELIVERED = frozenset({QUEUED, SENT})          # handed over for good: never send again
PERMANENT = frozenset({REJECTED, INVALID})     # the provider said no for good: don't retry


@dataclass(frozen=True)
class Outgoing:
    """One personalized message: who, in which language's template, with which values."""

    subscriber_id: int
    email: str
    template: MessageTemplate
    envelope: Envelope
    custom_args: dict[str, str]

    @property
    def lang(self) -> str:
        return self.template.lang


@dataclass(frozen=True)
class SendResult:
    subscriber_id: int
    status: str                    # queued, sent, rejected, failed, invalid
    provider_id: str = ""
    detail: str = ""


class Journal:
    """Where a backend that journals each message reports it (see Backend.journals_each_message)."""

    def sending(self, message: Outgoing) -> None:
        """Called just before `message` is transmitted."""

    def done(self, result: SendResult) -> None:
        """Called as soon as the result is known, before the next message is taken."""


class Backend:
    name = "base"
    batch_size = 100               # how many messages the send loop hands over at once
    record_every = 50              # results stored together (the most a crash can leave uncertain)
    # True: the backend itself tells the journal when each message goes out and how it went,
    # from the thread that sends it, so a crash leaves at most the messages in flight uncertain.
    journals_each_message = False

    def open(self) -> None:
        """Connect, check settings; called once before the first batch."""

    def close(self) -> None:
        """Release connections; called once at the end, also after errors."""

    def send(self, messages: list[Outgoing], journal: "Journal | None" = None) -> Iterator[SendResult]:
        """Deliver `messages`, yielding one result per message as soon as it is known."""
        raise NotImplementedError

    def delivered_before(self, uncertain: Iterable[Outgoing]) -> set[int]:
        """After a crash: which of these messages (handed over, result not recorded) did arrive.

        Backends that cannot tell return an empty set, and those messages are sent again,
        with the same Message-ID so that mailbox providers can recognize a duplicate.
        """
        return set()

    def __enter__(self) -> "Backend":
        self.open()
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
