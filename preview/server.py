"""The running preview: a local web server, a file watcher, and the rebuilds between them.

    server = PreviewServer(issue_dir, port=8001).start()   # built, watching and serving
    server.url                                             # http://127.0.0.1:8001/
    server.stop()

`start()` builds every language once before serving (the cold first render: compiling the
templates, loading locale data), so no edit pays it, and returns only when the watcher is
armed: a file saved after `start()` is always seen. Threads: the watcher (watchfiles; a batch
ends when 10 ms pass without another change) queues batches of saved files; the builder
rebuilds for each (merging those that wait) the languages the open pages show, publishes to
every open page, then, while no batch waits, renders the other languages (catch_up) and
settles the quick renders; the HTTP server answers the pages.
"""
from __future__ import annotations

import errno
import logging
import queue
import shutil
import socket
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

import watchfiles
from werkzeug.serving import make_server

from common.errors import NewsletterError
from preview.preview_app import create_app, event_data
from preview.previewer import Previewer, Snapshot
from preview.live_updates import Hub
from preview.watch import Watched

STEP_MS = 10            # a batch of changes ends after this long without another
PROBLEM_GRACE = 0.15    # seconds a result with problems waits for another batch (a save in several writes)


class PreviewServer:
    def __init__(self, issue_dir: Path | str, host: str = "127.0.0.1", port: int = 8001, drafts: bool = False,
                 log: Callable[[str], None] | None = None, library_dir: Path | str | None = None):
        self.previewer = Previewer(issue_dir, drafts, library_dir)
        self.watched = Watched(Path(issue_dir), library_dir)
        self.hub = Hub()
        self.log = log or (lambda line: None)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)     # no line per request in the terminal
        listening = _listen(host, port)
        self.http = make_server(host, port, create_app(lambda: self.previewer.snapshot, self.hub, host), threaded=True,
                                fd=listening.fileno())
        listening.close()                                         # werkzeug holds its own copy
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{self.http.port}/"
        self._stop, self._armed = threading.Event(), threading.Event()
        self._beacon = Path(tempfile.mkdtemp(prefix="newsletter-preview-"))
        self._threads: list[threading.Thread] = []
        self._published: Snapshot | None = None
        self._batches: queue.Queue = queue.Queue()     # sets of saved files, from the watcher to the builder
        self._said_differed = False

    def start(self, arm_timeout: float = 10.0) -> "PreviewServer":
        self._publish(self.previewer.rebuild())
        for target, name in ((self._watch, "preview-watch"), (self._build, "preview-build"),
                             (self.http.serve_forever, "preview-http")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        deadline, beat = time.monotonic() + arm_timeout, 0
        while not self._armed.is_set() and time.monotonic() < deadline:
            beat += 1                    # the watcher says it is armed by seeing this file change
            (self._beacon / "armed").write_text(str(beat), encoding="utf-8")
            self._armed.wait(0.05)
        if not self._armed.is_set():
            self.log("warning: the file watcher did not start; edits will not show until it does")
        return self

    def wait(self) -> None:
        """Until stop() (or Ctrl-C in the calling thread)."""
        self._stop.wait()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._batches.put(None)
        self.hub.close()
        if self._threads:                # serve_forever is running
            self.http.shutdown()
        self.http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        shutil.rmtree(self._beacon, ignore_errors=True)

    def _watch(self) -> None:
        """Hand each batch of saved files to the builder; say when armed."""
        def relevant(change, path: str) -> bool:
            return Path(path).parent == self._beacon or self.watched(change, path)
        try:
            for changes in watchfiles.watch(*self.watched.roots, self._beacon, watch_filter=relevant, step=STEP_MS,
                                            stop_event=self._stop, raise_interrupt=False):
                paths = {Path(path) for _, path in changes}
                if any(path.parent == self._beacon for path in paths):
                    self._armed.set()
                paths = {path for path in paths if path.parent != self._beacon}
                if paths:
                    self._batches.put(paths)
        except Exception:  # the page stays as it was; the terminal says why
            traceback.print_exc(file=sys.stderr)
            self.log("error: the file watcher stopped: restart the preview")

    def _build(self) -> None:
        """Rebuild for each batch: publish the quick result at once, then catch up and settle while
        nothing waits.

        A result with problems waits PROBLEM_GRACE for another batch: an editor that truncates
        the file, then writes it, must not flash the problems of an empty file."""
        while (paths := self._batches.get()) is not None:
            try:
                snapshot = self.previewer.rebuild(paths | self._waiting(), first=self.hub.languages())
                if snapshot.problems:
                    try:
                        self._batches.put(self._batches.get(timeout=PROBLEM_GRACE))
                        continue            # superseded: the next batch is read at once
                    except queue.Empty:
                        pass
                self._publish(snapshot, log=True)
                for step in (self.previewer.catch_up, self.previewer.settle):
                    later = step(stop=lambda: not self._batches.empty())
                    if later is not None:
                        self._publish(later)
            except Exception:
                traceback.print_exc(file=sys.stderr)

    def _waiting(self) -> set[Path]:
        """Every batch already queued, merged (one rebuild for all of them)."""
        found: set[Path] = set()
        while True:
            try:
                more = self._batches.get_nowait()
            except queue.Empty:
                return found
            if more is None:
                self._batches.put(None)
                return found
            found |= more

    def _publish(self, snapshot: Snapshot, log: bool = False) -> None:
        self.hub.publish(snapshot.version, event_data(snapshot, self._published))
        self._published = snapshot
        if log:
            self.log(describe(snapshot))
        if self.previewer.renderer.differed and not self._said_differed:
            self._said_differed = True
            self.log(f"note: a quick render of {', '.join(self.previewer.renderer.differed)} differed from the full "
                     "render (a template makes blocks depend on each other): showing full renders from now on")


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, or a NewsletterError saying why not (werkzeug would exit the process)."""
    listening = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(64)
    except OSError as e:
        listening.close()
        hint = f"is a preview already running? give another port, e.g. --port {port + 1}" \
            if e.errno == errno.EADDRINUSE else "give --host 127.0.0.1 (this computer only)"
        raise NewsletterError(f"cannot serve the preview on {host}:{port}: {e.strerror or e}", hint) from e
    return listening


def describe(snapshot: Snapshot) -> str:
    """The terminal's line (and problems) about one rebuild."""
    return f"{snapshot.built_at} {snapshot.summary}" + "".join(
        f"\n  {line}" for problem in snapshot.problems for line in str(problem).splitlines())
