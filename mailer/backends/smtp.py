"""SMTP delivery: a small pool of reused connections, retries for 4xx, 5xx recorded per recipient.

Settings (environment): SMTP_HOST (required), SMTP_PORT (587, or 465 with SMTP_SECURITY=tls),
SMTP_SECURITY (starttls | tls | none), SMTP_USER, SMTP_PASSWORD, SMTP_POOL (connections in
parallel, default 4), SMTP_TIMEOUT (seconds, 30), SMTP_RETRIES (5), SMTP_RETRY_DELAY (first
backoff in seconds, 2; doubled each time).
"""
from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed

from mailer import config
from common.errors import ConfigError
from mailer.backends.base import FAILED, REJECTED, SENT, Backend, Outgoing, SendResult

SECURITY = ("starttls", "tls", "none")
_DROPPED = (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout, TimeoutError)


class SMTPBackend(Backend):
    name = "smtp"
    batch_size = 200
    journals_each_message = True

    def __init__(self, host: str, port: int, *, security: str = "starttls", user: str = "", password: str = "",
                 pool: int = 4, timeout: float = 30, retries: int = 5, retry_delay: float = 2.0,
                 sleep=time.sleep):
        if security not in SECURITY:
            raise ConfigError("SMTP_SECURITY", f"'{security}' is not one of {', '.join(SECURITY)}",
                              "use starttls (port 587), tls (port 465) or none (local test servers only)")
        if user and not password:
            raise ConfigError("SMTP_PASSWORD", "is not set but SMTP_USER is", "export SMTP_PASSWORD=...")
        self.host, self.port, self.security = host, port, security
        self.user, self.password = user, password
        self.pool, self.timeout, self.retries, self.retry_delay = max(1, pool), timeout, retries, retry_delay
        self._sleep = sleep
        self._local = threading.local()
        self._connections: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_env(cls, **overrides) -> "SMTPBackend":
        security = config.setting("SMTP_SECURITY", "starttls")
        settings = dict(
            host=config.setting("SMTP_HOST", hint="export SMTP_HOST=smtp.example.org (your mail server)"),
            port=config.integer("SMTP_PORT", 465 if security == "tls" else 587),
            security=security, user=config.setting("SMTP_USER", ""), password=config.setting("SMTP_PASSWORD", ""),
            pool=config.integer("SMTP_POOL", 4), timeout=config.integer("SMTP_TIMEOUT", 30),
            retries=config.integer("SMTP_RETRIES", 5),
            retry_delay=float(config.setting("SMTP_RETRY_DELAY", "2")),
        )
        return cls(**(settings | overrides))

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.security == "tls":
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                connection.starttls(context=context)
        if self.user:
            connection.login(self.user, self.password)
        with self._lock:
            self._connections.append(connection)
        return connection

    def _connection(self) -> smtplib.SMTP:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._local.connection = self._connect()
        return connection

    def _drop(self) -> None:
        connection = getattr(self._local, "connection", None)
        self._local.connection = None
        if connection is not None:
            try:
                connection.close()
            except OSError:
                pass

    def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=self.pool, thread_name_prefix="smtp")

    def close(self) -> None:
        if self._executor:
            self._executor.shutdown(wait=True)
            self._executor = None
        for connection in self._connections:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self._connections.clear()

    # -- delivery ------------------------------------------------------------------------
    def send(self, messages: list[Outgoing], journal=None) -> Iterator[SendResult]:
        futures = [self._executor.submit(self._journaled, m, journal) for m in messages]
        for future in as_completed(futures):
            yield future.result()

    def _journaled(self, message: Outgoing, journal) -> SendResult:
        if journal is not None:
            journal.sending(message)
        result = self.deliver(message)
        if journal is not None:
            journal.done(result)
        return result

    def deliver(self, message: Outgoing) -> SendResult:
        data = message.template.render(message.envelope)
        sender = message.template.email_sender
        last = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.retry_delay * 2 ** (attempt - 1))
            try:
                self._connection().sendmail(sender, [message.email], data)
                return SendResult(message.subscriber_id, SENT, provider_id=message.envelope.message_id)
            except smtplib.SMTPRecipientsRefused as e:
                code, text = next(iter(e.recipients.values()))
            except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as e:
                code, text = e.smtp_code, e.smtp_error
            except smtplib.SMTPResponseException as e:
                code, text = e.smtp_code, e.smtp_error
            except (*_DROPPED, OSError) as e:
                self._drop()
                last = f"connection lost: {e or type(e).__name__}"
                continue
            detail = f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"
            if 500 <= code < 600:
                self._reset()
                return SendResult(message.subscriber_id, REJECTED, detail=detail)
            last = detail
            self._reset()
        return SendResult(message.subscriber_id, FAILED, detail=f"gave up after {self.retries + 1} tries: {last}")

    def _reset(self) -> None:
        try:
            self._connection().rset()
        except (smtplib.SMTPException, OSError):
            self._drop()
