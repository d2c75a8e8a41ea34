"""Provider errors (DeepL, Google, SendGrid, SMTP) show status and reason with every configured
secret redacted, whatever the provider answers (here: endpoints on 127.0.0.1 that echo the
request back, keys and all); an answer that is not in the provider's format stops with
"<provider> at <url> did not answer like <provider>" instead of reading as "no languages" or
"sent"."""
from __future__ import annotations

import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler

import pytest

from common.errors import NewsletterError
from common.redaction import redact, reply_text
from common.settings import Settings
from tests.json_stub import LocalServer

KEY = "key-0123456789abcdefXYZ:fx"
OTHER = "NewsletterSecret-aZ3kP9qLmW2xV7nB4cT8yR1s"     # another configured secret, echoed in the body too


class Echo(LocalServer):
    """Answers every request with `status` and a body repeating its headers and body (JSON, or as is)."""

    def __init__(self, status: int, as_json: bool = True, body: bytes | None = None):
        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                sent = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode(errors="replace")
                echo = f"{self.requestline} {dict(self.headers)} {sent} {OTHER}"
                data = body if body is not None else (
                    json.dumps({"message": echo, "errors": [{"message": echo}], "error": {"message": echo}}).encode()
                    if as_json else echo.encode())
                self.send_response(status)
                self.send_header("Content-Type", "application/json" if as_json else "text/html")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args):
                pass
        self._serve_on(0, Handler)


def settings_for(url: str) -> Settings:
    return Settings.from_env({"DEEPL_AUTH_KEY": KEY, "DEEPL_SERVER_URL": url, "GOOGLE_TRANSLATE_API_KEY": KEY,
                              "GOOGLE_TRANSLATE_ENDPOINT": url, "SENDGRID_API_KEY": KEY, "SENDGRID_API_HOST": url,
                              "NEWSLETTER_SECRET": OTHER})


def deepl_offered(settings):
    from blocks.i18n.machine.deepl import DeepL
    return DeepL.from_settings(settings, sleep=lambda _: None, delays=()).offered("de")


def google_offered(settings):
    from blocks.i18n.machine.google import GoogleTranslate
    return GoogleTranslate.from_settings(settings, sleep=lambda _: None, delays=()).offered("de")


def sendgrid_sends(settings):
    from mailer.backends.sendgrid import SendGridBackend
    return SendGridBackend.from_settings(settings, retries=0, sleep=lambda _: None).post({"personalizations": []})


def said(error: NewsletterError) -> str:
    return "\n".join(error.lines())


def test_redact_hides_every_form_of_a_secret_and_keeps_the_rest():
    import base64
    from urllib.parse import quote
    text = f"a {KEY} b {quote(KEY, safe='')} c {base64.b64encode(KEY.encode()).decode()} d short"
    assert redact(text, [KEY, "short"]) == "a [redacted] b [redacted] c [redacted] d short"
    assert reply_text(400, "Bad Request", f"<p>{KEY}</p>\n" + "x" * 500, [KEY]).startswith(
        "400 Bad Request: <p>[redacted]</p> xxx")
    assert len(reply_text(400, "Bad Request", "x" * 5000, [])) < 400
    assert OTHER in settings_for("http://127.0.0.1:1").secrets() and KEY in settings_for("http://x").secrets()


@pytest.mark.parametrize("status", [400, 403, 500])
@pytest.mark.parametrize("call", [deepl_offered, google_offered, sendgrid_sends])
def test_an_endpoint_echoing_the_request_never_puts_a_secret_in_the_message(call, status):
    with Echo(status) as echo:
        with pytest.raises(NewsletterError) as caught:
            call(settings_for(echo.url))
    message = said(caught.value)
    assert KEY not in message and OTHER not in message and "[redacted]" in message, message
    assert str(status) in message


@pytest.mark.parametrize("call, provider", [(deepl_offered, "DeepL"), (google_offered, "Google Cloud Translation"),
                                            (sendgrid_sends, "SendGrid")])
@pytest.mark.parametrize("body", [b"<html><body>Welcome to nginx!</body></html>", b'{"unexpected": [1, 2]}',
                                  b"[1, 2, 3]"])
def test_a_200_that_is_not_the_providers_format_stops_and_says_so(call, provider, body):
    with Echo(200, body=body) as echo:
        with pytest.raises(NewsletterError) as caught:
            call(settings_for(echo.url))
    message = said(caught.value)
    assert f"{provider} at {echo.url}" in message and f"did not answer like {provider}" in message, message
    assert "does not offer" not in message


class SMTPEcho(socketserver.ThreadingTCPServer):
    """An SMTP server on 127.0.0.1 that refuses every login, repeating what it was sent; or,
    with `greeting`, a server that is not SMTP at all."""
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, greeting: bytes = b"220 echo ESMTP\r\n"):
        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                self.wfile.write(greeting)
                for line in self.rfile:
                    text = line.decode(errors="replace").strip()
                    if text.upper().startswith("EHLO"):
                        self.wfile.write(b"250-echo\r\n250 AUTH PLAIN\r\n")
                    elif text.upper().startswith("AUTH"):
                        self.wfile.write(f"535 5.7.8 no: {text} {OTHER}\r\n".encode())
                    elif text.upper().startswith("QUIT"):
                        self.wfile.write(b"221 bye\r\n")
                        return
                    else:
                        self.wfile.write(f"500 what is {text}\r\n".encode())
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


def smtp_backend(server, password: str = KEY):
    from mailer.backends.smtp import SMTPBackend
    settings = Settings.from_env({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(server.server_address[1]),
                                  "SMTP_SECURITY": "none", "SMTP_USER": "office", "SMTP_PASSWORD": password,
                                  "NEWSLETTER_SECRET": OTHER})
    return SMTPBackend.from_settings(settings, retries=0, timeout=5)


def test_an_smtp_server_echoing_the_login_never_shows_the_password():
    server = SMTPEcho()
    try:
        with pytest.raises(NewsletterError) as caught:
            smtp_backend(server)._connect()
    finally:
        server.shutdown()
        server.server_close()
    message = said(caught.value)
    assert "535" in message and "[redacted]" in message, message
    assert KEY not in message and OTHER not in message and "AUTH PLAIN [redacted]" in message


def test_a_server_that_is_not_smtp_is_named():
    server = SMTPEcho(b"HTTP/1.1 400 Bad Request\r\n\r\n")
    try:
        with pytest.raises(NewsletterError) as caught:
            smtp_backend(server)._connect()
    finally:
        server.shutdown()
        server.server_close()
    port = server.server_address[1]
    assert f"SMTP server at 127.0.0.1:{port} did not answer like SMTP server" in said(caught.value)
