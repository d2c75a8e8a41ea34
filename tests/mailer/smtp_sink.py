"""A real SMTP server on 127.0.0.1 (aiosmtpd) that records what it receives.

It can refuse chosen recipients with given codes (421/451 temporary, 550 permanent, 535 not
authenticated; a list is used in turn), and drop the connection when a chosen message arrives.
It offers SMTPUTF8 (addresses such as josé@example.org) unless told not to.
"""
from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from email import policy

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, list[int]] = {}      # address -> codes to answer RCPT with, in turn
        self.rcpts: list[tuple[str, int]] = []      # every RCPT as it came, with the code answered
        self.drop_on: set[str] = set()              # addresses whose first DATA drops the connection
        self.delay = 0.0                            # seconds each DATA takes (a slower server)
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        codes = self.refuse.get(address)
        if codes:
            code = codes.pop(0)
            self.rcpts.append((address, code))
            if isinstance(code, str):                # a whole reply: "550 5.7.1 relay not permitted"
                return code
            reason = "try again later" if code < 500 else "authentication required" if code == 535 else "no such user"
            return f"{code} {reason}"
        self.rcpts.append((address, 250))
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        for address in envelope.rcpt_tos:
            if address in self.drop_on:
                self.drop_on.discard(address)
                server.transport.close()
                return "421 closing"
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 accepted"

    def per_address(self) -> Counter:
        return Counter(rcpt for _, rcpts, _ in self.messages for rcpt in rcpts)

    def parsed(self, address: str):
        for _, rcpts, content in self.messages:
            if address in rcpts:
                return email.message_from_bytes(content, policy=policy.default)
        raise KeyError(address)


def _only(password: str):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)
    return authenticator


class SMTPSink:
    """`with SMTPSink() as sink:` a server on sink.port. Options: smtputf8; tls_context (STARTTLS
    offered, e.g. with a certificate from a CA the test made); password (AUTH required, only
    that password accepted, for any user)."""

    def __init__(self, smtputf8: bool = True, tls_context=None, password: str | None = None):
        self.sink = Sink()
        self.port = free_port()
        options = {"enable_SMTPUTF8": smtputf8}
        if tls_context is not None:
            options |= {"tls_context": tls_context}
        if password is not None:
            options |= {"auth_required": True, "auth_require_tls": tls_context is not None,
                        "authenticator": _only(password)}
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **options)

    def __enter__(self) -> Sink:
        self.controller.start()
        self.sink.port = self.port
        return self.sink

    def __exit__(self, *_):
        self.controller.stop()
