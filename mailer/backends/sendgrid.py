"""SendGrid v3 mail send through the official client: up to 1,000 families per request.

Settings (environment): SENDGRID_API_KEY (required), SENDGRID_API_HOST (default
https://api.sendgrid.com; tests point it at a local mock), SENDGRID_RETRIES (5),
SENDGRID_RETRY_DELAY (first backoff in seconds, 2), SENDGRID_MAX_WAIT (seconds, 300: a rate
limit that resets later than this stops the send with "rerun after HH:MM" instead of waiting),
SENDGRID_SEND_AT (optional ISO time, at most 72 hours ahead).

Per-recipient tokens become SendGrid substitutions (our __TOKENS__ are already unique
strings), so the HTML is uploaded once per request, not once per family. Each
personalization carries custom_args (issue, language, segment, subscriber) so event
webhooks map back, and its own List-Unsubscribe headers.
"""
from __future__ import annotations

import datetime as dt
import json
import socket
import time
from urllib.error import URLError

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient

from common.errors import ConfigError, OutcomeUnknown, SendingStopped, TransientError
from common.redaction import not_like, redact, reply_text
from common.settings import Settings
from mailer.backends.backend import QUEUED, Backend, InvalidMessage, Outgoing, SendResult
from mailer.backends.retry import RetryPolicy
from mailer.message.mime import provider_values

ACCEPTED = 202                  # SendGrid's answer to a send it took
MAX_PERSONALIZATIONS = 1000
MAX_SUBSTITUTION_BYTES = 10_000
KEY_HINT = ("create a key in SendGrid (Settings > API Keys) with Mail Send permission, then "
            "export SENDGRID_API_KEY=SG....")


class SendGridBackend(Backend):
    name = "sendgrid"
    record_every = 1000
    batch_size = MAX_PERSONALIZATIONS
    journals_each_message = True      # each request's families are marked "sending" just before it goes
    in_doubt_after_crash = True       # a request cut off by a crash is resolved by the event webhook

    def __init__(self, api_key: str, *, host: str = "https://api.sendgrid.com", retries: int = 5,
                 retry_delay: float = 2.0, max_wait: float = 300.0, send_at: dt.datetime | None = None,
                 timeout: float = 60, categories: tuple[str, ...] = (), sleep=time.sleep, clock=time.time,
                 secrets: tuple[str, ...] = ()):
        super().__init__(RetryPolicy(retries=retries, delay=retry_delay, max_wait=max_wait, sleep=sleep))
        self.host, self.secrets = host.rstrip("/"), (api_key, *secrets)   # secrets: never in a message
        self.client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self.client.client.timeout = timeout
        self.send_at, self.categories = send_at, categories
        self._clock = clock
        self.requests_made = 0

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "SendGridBackend":
        options = dict(
            api_key=settings.require("sendgrid_api_key", KEY_HINT),
            host=settings.sendgrid_api_host or "https://api.sendgrid.com",
            retries=_or(settings.sendgrid_retries, 5),
            retry_delay=_or(settings.sendgrid_retry_delay, 2),
            max_wait=_or(settings.sendgrid_max_wait, 300),
            send_at=settings.sendgrid_send_at,
            secrets=settings.secrets(),
        )
        return cls(**(options | overrides))

    # -- build ----------------------------------------------------------------------------
    def requests(self, messages: list[Outgoing]):
        """Messages of one language (one template) together, at most 1,000 per request."""
        by_template: dict[int, list[Outgoing]] = {}
        for message in messages:
            by_template.setdefault(id(message.template), []).append(message)
        for group in by_template.values():
            for start in range(0, len(group), MAX_PERSONALIZATIONS):
                yield group[start:start + MAX_PERSONALIZATIONS]

    def build_payload(self, messages: list[Outgoing]) -> dict:
        """One request body for messages that share a language (one template)."""
        template = messages[0].template
        if any(m.template is not template for m in messages) or len(messages) > MAX_PERSONALIZATIONS:
            raise ValueError("one request carries at most 1,000 messages of one language")
        email = template.email
        name, address = template.sender
        body = {
            "from": {"email": address, "name": name},
            "subject": email.subject,
            "content": [{"type": "text/plain", "value": email.text},
                        {"type": "text/html", "value": template.provider_html}],
            "personalizations": [self._personalization(m) for m in messages],
            "headers": {name: value for name, value in template.list_headers if name != "List-Unsubscribe-Post"},
            "categories": list(dict.fromkeys(("newsletter", *self.categories, template.lang)))[:10],
        }
        if template.reply_to:
            body["reply_to"] = {"email": template.reply_to}
        if self.send_at:
            body["send_at"] = int(self.send_at.timestamp())
        return body

    def check(self, message: Outgoing) -> None:
        local = message.email.rpartition("@")[0]
        if not local.isascii():
            # SendGrid answers 202 and then drops such addresses as invalid (sendgrid-python #119,
            # sendgrid-ruby #91, sendgrid-csharp #656): refused here, before the request
            raise InvalidMessage("SendGrid cannot deliver to an address with non-ASCII letters before the @ "
                                 "(it takes the request, then drops the address); send to this family through "
                                 "a server that offers SMTPUTF8: send --backend smtp --retry-failed")
        size = len(json.dumps(provider_values(message.envelope.values)).encode())
        if size > MAX_SUBSTITUTION_BYTES:
            raise InvalidMessage(f"personal values of {size:,} bytes, over SendGrid's 10,000-byte limit "
                                 "per family (a very long name?)")

    @staticmethod
    def _personalization(message: Outgoing) -> dict:
        envelope = message.envelope
        to = {"email": envelope.to_email}
        if envelope.to_name:
            to["name"] = envelope.to_name
        substitutions = provider_values(envelope.values)
        return {
            "to": [to],
            "substitutions": substitutions,
            "custom_args": {k: str(v) for k, v in message.custom_args.items()},
            "headers": {**dict(envelope.headers()), "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        }

    # -- post -----------------------------------------------------------------------------
    def post(self, payload: dict):
        self.requests_made += 1
        try:
            response = self.client.client.mail.send.post(request_body=payload)
        except http_errors.HTTPError as e:
            status = getattr(e, "status_code", 0)
            message = reply_text(status, getattr(e, "reason", ""), _api_message(e), self.secrets)
            if status == 401:
                raise ConfigError("SENDGRID_API_KEY", f"SendGrid refused the key: {message}", KEY_HINT) from None
            if status == 403:
                raise ConfigError("SENDGRID_API_KEY", f"SendGrid refused the request: {message}",
                                  "give the key Mail Send permission, and verify the From address of "
                                  "the publication's publication.yaml in SendGrid (Settings > Sender Authentication)") \
                    from None
            if status == 429:
                raise TransientError(message, status=status, retry_after=self._reset_wait(e.headers)) from None
            if status >= 500 or status in (408,):
                raise TransientError(message, status=status) from None
            # A 400 is about the request as a whole (each family was checked before batching):
            # the same would happen to every request, so stop with SendGrid's own words.
            raise SendingStopped(f"SendGrid refused the request: {message}",
                                 "fix what SendGrid names (often the From or Reply-To address in "
                                 "the publication's publication.yaml), then run the same command again",
                                 status=status) from None
        except URLError as e:              # before the request was sent: nothing reached SendGrid
            unreachable = isinstance(e.reason, (ConnectionRefusedError, socket.gaierror, TimeoutError))
            raise TransientError(redact(f"cannot connect to SendGrid: {e.reason}", self.secrets),
                                 unreachable=unreachable) from None
        except OSError as e:               # sent, then no answer (timeout, dropped): SendGrid may have it
            raise OutcomeUnknown(redact(f"no answer from SendGrid after the request was sent "
                                        f"({e or type(e).__name__}); its events will tell whether it was taken",
                                        self.secrets)) from None
        if getattr(response, "status_code", ACCEPTED) != ACCEPTED:
            # SendGrid takes a send with 202 and an empty body; a 200 (a web page, a proxy, another
            # API) took nothing: stop before any family is marked sent.
            raise ConfigError("SENDGRID_API_HOST", not_like("SendGrid", self.host) + " (it answered "
                              + reply_text(response.status_code, "", response.body, self.secrets) + ")",
                              "unset SENDGRID_API_HOST for SendGrid's own https://api.sendgrid.com, or set it "
                              "to your SendGrid regional host (https://api.eu.sendgrid.com)")
        return response

    def _reset_wait(self, headers) -> float | None:
        try:
            return max(0.0, float(_header(headers, "X-RateLimit-Reset")) - self._clock())
        except (TypeError, ValueError):
            return None

    # -- parse ----------------------------------------------------------------------------
    def parse(self, response, messages: list[Outgoing]) -> list[SendResult]:
        provider_id = _header(response.headers, "X-Message-Id")
        return [SendResult(m.subscriber_id, QUEUED, provider_id=provider_id) for m in messages]


def _header(headers, name: str) -> str:
    if headers is None:
        return ""
    getter = getattr(headers, "get", None)
    value = getter(name) if getter else None
    if value is None and getter:
        value = getter(name.lower())
    return value or ""


def _api_message(error) -> str:
    try:
        errors = json.loads(error.body)["errors"]
        return "; ".join(e.get("message", "") for e in errors)
    except (ValueError, KeyError, TypeError):
        body = error.body.decode(errors="replace") if isinstance(error.body, bytes) else str(error.body)
        return body[:300]


def _or(value, default):
    """A setting's value, or the backend's default where it is not set (0 is a value)."""
    return default if value is None else value
