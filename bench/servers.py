"""Local stand-ins for the mail server and the SendGrid API, run in their own process.

    python bench/servers.py smtp     # aiosmtpd on 127.0.0.1: counts messages, answers 250
    python bench/servers.py http     # http.server on 127.0.0.1: counts POSTs, answers 202 + X-Message-Id

Each prints its port on the first line, then answers every "count" line on standard input
with the number of messages (SMTP) or requests (HTTP) received so far; it stops at the end
of its input. A separate process keeps the server's CPU and GIL out of the measured client.
Both listen on the loopback address only. LocalServer runs one from the benchmark.
"""
from __future__ import annotations

import socket
import os
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Counter:
    def __init__(self):
        self.value, self.bytes = 0, 0
        self.lock = threading.Lock()

    def add(self, size: int) -> None:
        with self.lock:
            self.value += 1
            self.bytes += size


def smtp_server(counter: Counter):
    """An aiosmtpd Controller whose handler only counts and accepts."""
    from aiosmtpd.controller import Controller

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            counter.add(len(envelope.original_content or b""))
            return "250 OK"

    with socket.socket() as probe:          # a free port (aiosmtpd checks readiness by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    return port, controller.stop


def http_server(counter: Counter):
    """A threaded HTTP server answering every POST like SendGrid's mail send: 202, X-Message-Id."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            size = int(self.headers.get("Content-Length", 0))
            self.rfile.read(size)
            counter.add(size)
            self.send_response(202)
            self.send_header("X-Message-Id", uuid.uuid4().hex)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def stop():
        server.shutdown()
        server.server_close()
    return server.server_address[1], stop


class LocalServer:
    """bench/servers.py KIND in a child process: its port, and how much it has received."""

    def __init__(self, kind: str):
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), kind],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def received(self) -> int:
        """Messages (smtp) or requests (http) received so far."""
        self.process.stdin.write("count\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline().split()[0])

    def cpu_seconds(self) -> float | None:
        """CPU time the server process has used (Linux /proc), or None where unknown."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            return None

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, *_exc) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except Exception:
                self.process.kill()


def main(kind: str) -> None:
    counter = Counter()
    port, stop = {"smtp": smtp_server, "http": http_server}[kind](counter)
    print(port, flush=True)
    try:
        for line in sys.stdin:
            if line.strip() == "count":
                print(f"{counter.value} {counter.bytes}", flush=True)
    finally:
        stop()


if __name__ == "__main__":
    main(sys.argv[1])
