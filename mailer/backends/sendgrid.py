"""SendGrid v3 mail send through the official client: up to 1,000 families per request.

Settings (environment): SENDGRID_API_KEY (required), SENDGRID_API_HOST (default
https://api.sendgrid.com; tests point it at a local mock), SENDGRID_RETRIES (5),
SENDGRID_RETRY_DELAY (first backoff in seconds, 2), SENDGRID_SEND_AT (optional ISO time,
at most 72 hours ahead).

Per-recipient tokens become SendGrid substitutions (our __TOKENS__ are already unique
strings), so the HTML is uploaded once per request, not once per family. Each
personalization carries custom_args (issue, language, segment, subscriber) so event
webhooks map back, and its own List-Unsubscribe headers.
"""
from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterator

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient

from mailer import config
from common.errors import ConfigError
from mailer.backends.base import FAILED, INVALID, QUEUED, REJECTED, Backend, Outgoing, SendResult

MAX_PERSONALIZATIONS = 1000
MAX_SUBSTITUTION_BYTES = 10_000


class SendGridBackend(Backend):
    name = "sendgrid"
    record_every = 1000
    batch_size = MAX_PERSONALIZATIONS

    def __init__(self, api_key: str, *, host: str = "https://api.sendgrid.com", retries: int = 5,
                 retry_delay: float = 2.0, send_at: dt.datetime | None = None, timeout: float = 60,
                 categories: tuple[str, ...] = (), sleep=time.sleep, clock=time.time):
        self.client = SendGridAPIClient(api_key=api_key, host=host.rstrip("/"))
        self.client.client.timeout = timeout
        self.retries, self.retry_delay, self.send_at = retries, retry_delay, send_at
        self.categories = categories
        self._sleep, self._clock = sleep, clock
        self.requests_made = 0

    @classmethod
    def from_env(cls, **overrides) -> "SendGridBackend":
        send_at = None
        raw = config.setting("SENDGRID_SEND_AT", "")
        if raw:
            try:
                send_at = dt.datetime.fromisoformat(raw)
            except ValueError:
                raise ConfigError("SENDGRID_SEND_AT", f"'{raw}' is not a date and time",
                                  "use ISO format with a time zone, e.g. 2021-09-20T07:00-04:00") from None
        settings = dict(
            api_key=config.setting("SENDGRID_API_KEY", hint="export SENDGRID_API_KEY=SG.... (create one in "
                                   "SendGrid: Settings > API Keys, with Mail Send permission)"),
            host=config.setting("SENDGRID_API_HOST", "https://api.sendgrid.com"),
            retries=config.integer("SENDGRID_RETRIES", 5),
            retry_delay=float(config.setting("SENDGRID_RETRY_DELAY", "2")),
            send_at=send_at,
        )
        return cls(**(settings | overrides))

    # -- build ----------------------------------------------------------------------------
    def payload(self, messages: list[Outgoing]) -> dict:
        """One request body for messages that share a language (one template)."""
        template = messages[0].template
        if any(m.template is not template for m in messages) or len(messages) > MAX_PERSONALIZATIONS:
            raise ValueError("one request carries at most 1,000 messages of one language")
        email = template.email
        name, address = template.sender
        body = {
            "from": {"email": address, "name": name},
            "subject": email.subject,
            "content": [{"type": "text/plain", "value": email.text}, {"type": "text/html", "value": email.html}],
            "personalizations": [self._personalization(m) for m in messages],
            "headers": {"List-Id": template.list_id, "Content-Language": template.lang.replace("_", "-")},
            "categories": list(dict.fromkeys(("newsletter", *self.categories, template.lang)))[:10],
        }
        if template.reply_to:
            body["reply_to"] = {"email": template.reply_to}
        if self.send_at:
            body["send_at"] = int(self.send_at.timestamp())
        return body

    @staticmethod
    def _personalization(message: Outgoing) -> dict:
        envelope = message.envelope
        to = {"email": envelope.to_email}
        if envelope.to_name:
            to["name"] = envelope.to_name
        substitutions = {token: value for token, value in envelope.values.items()}
        if len(json.dumps(substitutions).encode()) > MAX_SUBSTITUTION_BYTES:
            raise ValueError(f"substitutions for subscriber {message.subscriber_id} exceed 10,000 bytes")
        return {
            "to": [to],
            "substitutions": substitutions,
            "custom_args": {k: str(v) for k, v in message.custom_args.items()},
            "headers": {"List-Unsubscribe": envelope.list_unsubscribe,
                        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
        }

    # -- post and parse -------------------------------------------------------------------
    def send(self, messages: list[Outgoing], journal=None) -> Iterator[SendResult]:
        by_template: dict[int, list[Outgoing]] = {}
        for message in messages:
            by_template.setdefault(id(message.template), []).append(message)
        for group in by_template.values():
            for start in range(0, len(group), MAX_PERSONALIZATIONS):
                yield from self._send_request(group[start:start + MAX_PERSONALIZATIONS])

    def _send_request(self, messages: list[Outgoing]) -> list[SendResult]:
        try:
            body = self.payload(messages)
        except ValueError as e:
            return [SendResult(m.subscriber_id, INVALID, detail=str(e)) for m in messages]
        last = ""
        for attempt in range(self.retries + 1):
            try:
                self.requests_made += 1
                response = self.client.client.mail.send.post(request_body=body)
                provider_id = _header(response.headers, "X-Message-Id")
                return [SendResult(m.subscriber_id, QUEUED, provider_id=provider_id) for m in messages]
            except http_errors.TooManyRequestsError as e:
                last = "429 rate limited"
                self._sleep(self._wait_for_reset(e.headers))
                continue
            except http_errors.HTTPError as e:
                status = getattr(e, "status_code", 0)
                if 400 <= status < 500:
                    return [SendResult(m.subscriber_id, REJECTED, detail=f"{status} {_api_message(e)}")
                            for m in messages]
                last = f"{status} {_api_message(e)}"
            except (OSError, TimeoutError) as e:       # timeouts, refused or dropped connections
                last = f"connection problem: {e}"
            if attempt < self.retries:
                self._sleep(self.retry_delay * 2 ** attempt)
        return [SendResult(m.subscriber_id, FAILED, detail=f"gave up after {self.retries + 1} tries: {last}")
                for m in messages]

    def _wait_for_reset(self, headers) -> float:
        reset = _header(headers, "X-RateLimit-Reset")
        try:
            return max(0.0, float(reset) - self._clock())
        except (TypeError, ValueError):
            return self.retry_delay


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
