"""The preference center as families' phones and SendGrid meet it: a real server in a subprocess
on 127.0.0.1 (gunicorn with family_web/gunicorn_conf.py, or `compose.py serve`'s werkzeug),
and a raw HTTP client that can stream a body without holding it."""
from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

ROOT = Path(__file__).resolve().parents[2]
SECRET = "server-test-k7Qx2vR9mZ4pL8sN1wB6yT3hJ5"
_LISTENING = re.compile(r"(?:Listening at:|Running on) http://127\.0\.0\.1:(\d+)")


def public_key() -> str:
    public = ec.generate_private_key(ec.SECP256R1()).public_key()
    return base64.b64encode(public.public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def environment(tmp_path: Path, **settings: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSLETTER_", "SENDGRID_"))}
    return {**env, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1",
            "NEWSLETTER_DB": f"sqlite:///{tmp_path / 'newsletter.db'}", "NEWSLETTER_SECRET": SECRET,
            "SENDGRID_WEBHOOK_PUBLIC_KEY": public_key(), **settings}


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    output: list[str] = field(default_factory=list)     # everything it printed (access and error logs)

    def stop(self) -> str:
        self.process.terminate()
        self.process.wait(timeout=30)
        return "".join(self.output)


def _start(command: list[str], env: dict, cwd: Path = ROOT) -> Server:
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    output: list[str] = []
    for line in process.stdout:
        output.append(line)
        found = _LISTENING.search(line)
        if found:
            server = Server(process, int(found.group(1)), output)
            threading.Thread(target=lambda: output.extend(process.stdout), daemon=True).start()
            return server
    process.wait()
    raise AssertionError(f"the server did not start (exit {process.returncode}):\n{''.join(output)}")


def gunicorn(env: dict, app: str = "family_web.wsgi:app") -> Server:
    """gunicorn exactly as the README runs it, on a free port with one worker."""
    pytest.importorskip("gunicorn")
    from gunicorn.config import Config
    extra = ["--no-control-socket"] if "control_socket_disable" in Config().settings else []
    return _start([sys.executable, "-m", "gunicorn", "-c", "family_web/gunicorn_conf.py", "-b", "127.0.0.1:0",
                   "-w", "1", *extra, app], env)


def serve(env: dict, *options: str, cwd: Path = ROOT) -> Server:
    """`python compose.py serve` on a free port, in `cwd`."""
    return _start([sys.executable, str(ROOT / "compose.py"), "serve", "--port", "0", *options], env, cwd)


def http(port: int, text: str) -> tuple[int, str]:
    """Send one raw request (Connection: close); (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(text.encode())
        data = b""
        while more := sock.recv(65536):
            data += more
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode("utf-8", "replace")


def get(port: int, path: str) -> tuple[int, str]:
    return http(port, f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
