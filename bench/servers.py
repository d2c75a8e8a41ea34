"""Local stand-ins for the mail server and the SendGrid API, run in their own process.

    python bench/servers.py smtp     # aiosmtpd on 127.0.0.1: counts messages, answers 250
    python bench/servers.py http     # http.server on 127.0.0.1: counts POSTs, answers 202 + X-Message-Id
    python bench/servers.py http DELAY recipients
                                     # ... answering each request after DELAY seconds (an API round
                                     # trip), and counting personalizations per address

Each prints its port on the first line, then answers every "count" line on standard input
with the number of messages (SMTP) or requests (HTTP) received so far (and bytes); with
`recipients`, "addresses" answers: distinct addresses, personalizations, the most any address
got; "reset" sets every count back to zero. It stops at the end of its input. A separate process keeps the server's CPU and GIL out of the measured client.
Both listen on the loopback address only. LocalServer runs one from the benchmark.
"""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter as Tally
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Counter:
    def __init__(self):
        self.value, self.bytes = 0, 0
        self.addresses: Tally = Tally()
        self.lock = threading.Lock()

    def add(self, size: int, addresses: list[str] = ()) -> None:
        with self.lock:
            self.value += 1
            self.bytes += size
            self.addresses.update(addresses)

    def reset(self) -> None:
        with self.lock:
            self.value, self.bytes = 0, 0
            self.addresses.clear()


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


def http_server(counter: Counter, delay: float = 0.0, recipients: bool = False):
    """A threaded HTTP server answering every POST like SendGrid's mail send: 202, X-Message-Id;
    after `delay` seconds (each request in its own thread, so concurrent requests wait together);
    with `recipients`, it reads each body and counts the addresses of its personalizations."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            size = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(size)
            addresses = [to["email"] for p in json.loads(body)["personalizations"] for to in p["to"]] \
                if recipients else []
            if delay:
                time.sleep(delay)
            counter.add(size, addresses)
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

    def __init__(self, kind: str, *options: str):
        self.process = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), kind, *options],
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.port = int(self.process.stdout.readline())

    def _ask(self, command: str) -> list[str]:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().split()

    def received(self) -> int:
        """Messages (smtp) or requests (http) received so far."""
        return int(self._ask("count")[0])

    def addresses(self) -> tuple[int, int, int]:
        """(distinct addresses, personalizations, the most any one address got) since the last reset."""
        distinct, total, most = map(int, self._ask("addresses"))
        return distinct, total, most

    def reset(self) -> None:
        self._ask("reset")

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


def main(kind: str, *options: str) -> None:
    counter = Counter()
    if kind == "http":
        port, stop = http_server(counter, float(options[0]) if options else 0.0, "recipients" in options)
    else:
        port, stop = smtp_server(counter)
    print(port, flush=True)
    try:
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                print(f"{counter.value} {counter.bytes}", flush=True)
            elif command == "addresses":
                with counter.lock:
                    counts = list(counter.addresses.values())
                print(f"{len(counts)} {sum(counts)} {max(counts, default=0)}", flush=True)
            elif command == "reset":
                counter.reset()
                print("ok", flush=True)
    finally:
        stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
