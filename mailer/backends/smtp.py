"""SMTP delivery: a small pool of reused connections; 4xx sent back to the queue, 5xx recorded per recipient.

Settings (environment): SMTP_HOST (required), SMTP_PORT (587, or 465 with SMTP_SECURITY=tls),
SMTP_SECURITY (starttls | tls | none), SMTP_USER, SMTP_PASSWORD, SMTP_CA_FILE (a PEM file of
the certificate authority a private server's certificate comes from; default: the system's),
SMTP_POOL (connections in parallel, default 4), SMTP_TIMEOUT (seconds, 30), SMTP_RETRIES (5),
SMTP_RETRY_DELAY (first backoff in seconds, 2; doubled each time).

One request is one message: build_payload makes its bytes, post hands them to the server
(535 and untrusted certificates are ConfigErrors that stop the send; dropped connections are
retried; a 4xx reply (451 greylisting, 421, 452) is a TemporaryRefusal: that family goes back
to the queue with a not-before time, mailer/send/sender.py; 5xx refuses that one family),
parse reads the accepted answer.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass

from common.errors import ConfigError, ProviderError, TemporaryRefusal, TransientError
from common.redaction import not_like, redact
from common.settings import Settings
from mailer.backends.backend import SENT, Backend, InvalidMessage, Outgoing, SendResult
from mailer.backends.retry import RetryPolicy

AHEAD = 2          # messages handed to the threads per connection beyond what the caller has taken

SECURITY = ("starttls", "tls", "none")
_DROPPED = (smtplib.SMTPServerDisconnected, ConnectionError, socket.timeout, TimeoutError)


@dataclass(frozen=True)
class SMTPPayload:
    sender: str
    recipient: str
    data: bytes
    message_id: str

    @property
    def options(self) -> list[str]:
        return [] if self.sender.isascii() and self.recipient.isascii() else ["SMTPUTF8"]


class SMTPBackend(Backend):
    name = "smtp"
    batch_size = 200
    journals_each_message = True

    def __init__(self, host: str, port: int, *, security: str = "starttls", user: str = "", password: str = "",
                 ca_file: str = "", pool: int = 4, timeout: float = 30, retries: int = 5, retry_delay: float = 2.0,
                 sleep=time.sleep, secrets: tuple[str, ...] = ()):
        if security not in SECURITY:
            raise ConfigError("SMTP_SECURITY", f"'{security}' is not one of {', '.join(SECURITY)}",
                              "use starttls (port 587), tls (port 465) or none (local test servers only)")
        if user and not password:
            raise ConfigError("SMTP_PASSWORD", "is not set but SMTP_USER is", "export SMTP_PASSWORD=...")
        super().__init__(RetryPolicy(retries=retries, delay=retry_delay, sleep=sleep))
        self.host, self.port, self.security = host, port, security
        self.user, self.password, self.ca_file = user, password, ca_file
        # never in a message (common/redaction.py): the password, and AUTH PLAIN's blob a server may echo
        self.secrets = (password, *secrets, *((f"\0{user}\0{password}",) if password else ()))
        self.pool, self.timeout = max(1, pool), timeout
        self.transmitting_at_once = self.pool      # one message per connection, taken in order from one queue
        self._local = threading.local()
        self._connections: list[smtplib.SMTP] = []
        self._lock = threading.Lock()
        self._ssl: ssl.SSLContext | None = None
        self._executor: ThreadPoolExecutor | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **overrides) -> "SMTPBackend":
        security = settings.smtp_security or "starttls"
        options = dict(
            host=settings.require("smtp_host"),
            port=_or(settings.smtp_port, 465 if security == "tls" else 587),
            security=security, user=settings.smtp_user, password=settings.smtp_password,
            ca_file=settings.smtp_ca_file, pool=_or(settings.smtp_pool, 4), timeout=_or(settings.smtp_timeout, 30),
            retries=_or(settings.smtp_retries, 5), retry_delay=_or(settings.smtp_retry_delay, 2),
            secrets=settings.secrets(),
        )
        return cls(**(options | overrides))

    # -- connections ---------------------------------------------------------------------
    def _context(self) -> ssl.SSLContext | None:
        """The TLS settings, made once and shared by every connection (loading the system's
        certificate authorities costs ~30 ms of CPU); none without TLS."""
        if self.security == "none":
            return None
        with self._lock:
            if self._ssl is None:
                try:
                    self._ssl = ssl.create_default_context(cafile=self.ca_file or None)
                except (OSError, ssl.SSLError) as e:
                    raise ConfigError("SMTP_CA_FILE", f"cannot read '{self.ca_file}': {e}",
                                      "give the path of a PEM file with the certificate authority") from None
            return self._ssl

    def _connect(self) -> smtplib.SMTP:
        context = self._context()
        try:
            return self._open_connection(context)
        except (ConnectionRefusedError, socket.gaierror, socket.timeout, TimeoutError) as e:
            raise TransientError(f"{self.host}:{self.port}: {e or type(e).__name__}", unreachable=True) from None
        except smtplib.SMTPConnectError as e:
            if e.smtp_code < 0:            # its greeting was not an SMTP reply (a web server, another service)
                raise ConfigError("SMTP_HOST", not_like("SMTP server", f"{self.host}:{self.port}") + " (it said: "
                                  + self._reply(0, e.smtp_error)[2:] + ")", "check SMTP_HOST and SMTP_PORT (587 "
                                  "with starttls, 465 with tls)") from None
            raise TransientError(f"{self.host}:{self.port} refused the connection: "
                                 f"{self._reply(e.smtp_code, e.smtp_error)}", unreachable=True) from None

    def _open_connection(self, context: ssl.SSLContext | None) -> smtplib.SMTP:
        try:
            if self.security == "tls":
                connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
            else:
                connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    connection.starttls(context=context)
            if self.user:
                connection.login(self.user, self.password)
        except smtplib.SMTPAuthenticationError as e:
            reply = self._reply(e.smtp_code, e.smtp_error)
            raise ConfigError("SMTP_PASSWORD", f"{self.host} refused the login of '{self.user}': {reply}",
                              "check SMTP_USER and SMTP_PASSWORD (an app password, if the server asks "
                              "for one)") from None
        except ssl.SSLCertVerificationError as e:
            raise ConfigError("SMTP_CA_FILE", f"the certificate of {self.host} is not trusted: "
                              f"{e.verify_message or e}", "if the server uses a private certificate authority, "
                              "export SMTP_CA_FILE=/path/to/ca.pem; check SMTP_HOST") from None
        except smtplib.SMTPNotSupportedError as e:
            raise ConfigError("SMTP_SECURITY", f"{self.host} does not support it: {e}",
                              "use SMTP_SECURITY=tls for port 465, starttls for 587") from None
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

    def _reset(self) -> None:
        try:
            self._connection().rset()
        except (smtplib.SMTPException, OSError):
            self._drop()

    def open(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=self.pool, thread_name_prefix="smtp")

    def close(self) -> None:
        if self._executor:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
        for connection in self._connections:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass
        self._connections.clear()

    # -- the three steps -----------------------------------------------------------------
    def build_payload(self, messages: list[Outgoing]) -> SMTPPayload:
        [message] = messages
        return SMTPPayload(message.template.email_sender, message.email,
                           message.template.render(message.envelope), message.envelope.message_id)

    def post(self, payload: SMTPPayload) -> str:
        try:
            self._connection().sendmail(payload.sender, [payload.recipient], payload.data,
                                        mail_options=payload.options)
            return payload.message_id
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
        except smtplib.SMTPResponseException as e:
            code, text = e.smtp_code, e.smtp_error
        except smtplib.SMTPNotSupportedError:             # SMTPUTF8 needed but not offered
            raise InvalidMessage(f"{self.host} cannot carry an address with non-ASCII letters (it does not offer "
                                 "SMTPUTF8); ask the family for another address, or use a server that does") \
                from None
        except TransientError:
            raise
        except (*_DROPPED, OSError) as e:
            self._drop()
            raise TransientError(redact(f"connection lost: {e or type(e).__name__}", self.secrets)) from None
        detail = self._reply(code, text)
        self._reset()
        if code in (530, 535):
            raise ConfigError("SMTP_PASSWORD", f"{self.host} refused to send: {detail}",
                              "check SMTP_USER and SMTP_PASSWORD")
        if 500 <= code < 600:
            raise ProviderError(detail, status=code)
        if 400 <= code < 500:                 # this family, for now: back to the queue (not retried here)
            raise TemporaryRefusal(detail, status=code)
        raise TransientError(detail, status=code)

    def _reply(self, code: int, text: bytes | str) -> str:
        """A server's answer for a message, the password (or its AUTH blob) redacted."""
        return redact(_reply(code, text), self.secrets)

    def parse(self, message_id: str, messages: list[Outgoing]) -> list[SendResult]:
        return [SendResult(m.subscriber_id, SENT, provider_id=message_id) for m in messages]

    # -- in parallel, journaled ---------------------------------------------------------
    def send(self, messages: list[Outgoing], journal=None) -> Iterator[SendResult]:
        """Each message by the pool's connections, in the list's order, its result as it comes.
        The threads are handed at most AHEAD messages per connection beyond what the caller has
        taken: a caller that stops (the circuit breaker, a cancel, Ctrl-C) stops the sending
        within a few messages, however far behind it was."""
        waiting, running = deque(messages), set()
        while waiting or running:
            while waiting and len(running) < AHEAD * self.pool:
                running.add(self._executor.submit(self.send_request, [waiting.popleft()], journal))
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                yield from future.result()


def _reply(code: int, text: bytes | str) -> str:
    """An SMTP answer as one line: '535 5.7.8 authentication failed'."""
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _or(value, default):
    """A setting's value, or the backend's default where it is not set (0 is a value)."""
    return default if value is None else value
