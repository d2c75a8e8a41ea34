"""What every backend does: take personalized messages, deliver them, say what happened to each.

Like django-anymail, one request goes through three separate steps:

    build_payload(messages)  pure: the provider's request for a group of messages (no network);
                             InvalidMessage if a message cannot be sent at all
    post(payload)            network only: returns the provider's answer, or raises
                               ConfigError     authentication/permission refused (SendGrid 401/403,
                                               SMTP 535, untrusted certificate): fix a setting
                               TransientError  429, 5xx, timeout, dropped connection (retried)
                               TemporaryRefusal  SMTP 4xx for one family: not retried here, a
                                               `failed` result marked `temporary` (the sender
                                               sends it back to the queue for later)
                               ProviderError   this request refused for good (other 4xx, SMTP 5xx)
                               OutcomeUnknown  sent, but no answer came: its families are in doubt
    parse(answer, messages)  one SendResult per message from a successful answer

`send_request` strings them together with the shared RetryPolicy (mailer/backends/retry.py).
A ConfigError or SendingStopped is never turned into per-family results: it stops the
send, which releases its unsent claims (mailer/send/sender.py), so a rerun reaches them.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from common.errors import OutcomeUnknown, ProviderError, SendingStopped, TemporaryRefusal, TransientError
from mailer.backends.retry import RetryPolicy
from mailer.message.mime import Envelope, MessageTemplate

QUEUED, SENT, REJECTED, FAILED, INVALID, IN_DOUBT = "queued", "sent", "rejected", "failed", "invalid", "in_doubt"
DELIVERED = frozenset({QUEUED, SENT})          # handed over for good: never send again
PERMANENT = frozenset({REJECTED, INVALID})     # the provider said no for good: don't retry


class InvalidMessage(ValueError):
    """This message can't be sent as it is (too large, a value the provider refuses)."""


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
    temporary: bool = False        # failed for now (a TemporaryRefusal): may be tried again soon


class Journal:
    """Where a backend that journals its requests reports them (see Backend.journals_each_message)."""

    def sending(self, messages: list[Outgoing]) -> None:
        """Called just before a request with these messages is transmitted."""

    def done(self, results: list[SendResult]) -> None:
        """Called as soon as the request's results are known, before the next one is taken."""


class Backend:
    name = "base"
    batch_size = 100               # how many messages the send loop hands over at once
    record_every = 50              # results stored together (the most a crash can leave uncertain)
    # True: the backend itself tells the journal when each request goes out and how it went,
    # from the thread that sends it, so a crash leaves at most the requests in flight uncertain.
    journals_each_message = False
    # True: a message handed over by a worker that died is marked in doubt (the provider's
    # events resolve it) rather than sent again.
    in_doubt_after_crash = False
    # How many messages may be in transmission at any moment and are sent again after a crash
    # (SMTP: one per connection). The run's owner name in the send log says it, so the rerun can
    # name those families (mailer/send/sendlog.py, take_over_in_flight); 0: not applicable.
    transmitting_at_once = 0

    def __init__(self, retry: RetryPolicy | None = None):
        self.retry = retry or RetryPolicy()

    def open(self) -> None:
        """Connect, check settings; called once before the first batch."""

    def close(self) -> None:
        """Release connections; called once at the end, also after errors."""

    # -- the three steps -------------------------------------------------------------------
    def check(self, message: Outgoing) -> None:
        """InvalidMessage if this one message can't go out (checked alone, so it never spoils a
        request shared with other families)."""

    def requests(self, messages: list[Outgoing]) -> Iterator[list[Outgoing]]:
        """How messages group into requests (default: one request per message)."""
        for message in messages:
            yield [message]

    def build_payload(self, messages: list[Outgoing]):
        raise NotImplementedError

    def post(self, payload):
        raise NotImplementedError

    def parse(self, answer, messages: list[Outgoing]) -> list[SendResult]:
        raise NotImplementedError

    # -- together ----------------------------------------------------------------------------
    def send(self, messages: list[Outgoing], journal: Journal | None = None) -> Iterator[SendResult]:
        """Deliver `messages`, yielding one result per message as soon as it is known."""
        valid = []
        for message in messages:
            try:
                self.check(message)
                valid.append(message)
            except InvalidMessage as e:
                result = SendResult(message.subscriber_id, INVALID, detail=str(e))
                if journal is not None:          # recorded like every result, not only counted
                    journal.done([result])
                yield result
        for group in self.requests(valid):
            yield from self.send_request(group, journal)

    def send_request(self, messages: list[Outgoing], journal: Journal | None = None) -> list[SendResult]:
        """Build, post (with retries) and parse one request; ConfigError and SendingStopped propagate."""
        try:
            payload = self.build_payload(messages)
        except InvalidMessage as e:
            results = [SendResult(m.subscriber_id, INVALID, detail=str(e)) for m in messages]
        else:
            if journal is not None:
                journal.sending(messages)
            results = self._post_and_parse(payload, messages)
        if journal is not None:
            journal.done(results)
        return results

    def _post_and_parse(self, payload, messages: list[Outgoing]) -> list[SendResult]:
        def each(status: str, detail: str) -> list[SendResult]:
            return [SendResult(m.subscriber_id, status, detail=detail) for m in messages]
        try:
            answer = self.retry.call(self.post, payload)
        except TemporaryRefusal as e:
            return [SendResult(m.subscriber_id, FAILED, detail=e.problems[0].message, temporary=True)
                    for m in messages]
        except TransientError as e:
            return each(FAILED, f"not delivered for now ({e.problems[0].message}); the next run retries")
        except OutcomeUnknown as e:
            return each(IN_DOUBT, e.problems[0].message)
        except InvalidMessage as e:                   # found out only by trying (e.g. no SMTPUTF8)
            return each(INVALID, str(e))
        except SendingStopped:
            raise
        except ProviderError as e:
            return each(REJECTED, e.problems[0].message)
        return self.parse(answer, messages)

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
