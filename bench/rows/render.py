"""Row 1: rendering one language, end to end, against the JavaScript MJML 5 reference.

Ours: blocks.i18n.localize.localize + blocks.render.render_issue (Jinja -> MJML -> mjml-python
-> css-inline, plus the plain-text twin), called as a send calls it, once per language of the
sample issue. Reference: MJML 5's Node API rendering the very MJML source our Jinja step
produced (captured from render_issue itself), warm, in one long-lived node process.

Warm means compiled code is warm on both sides. A send renders each language once, so caches
keyed by content (Markdown, parsed catalogs) are emptied before each of our renders; the
figure with them left full, and the first render of each language in a fresh process (what a
send pays), are notes.
"""
from __future__ import annotations

import importlib
import inspect
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_common import ROOT, Row, duration, load_issue, per_call, side_by_side

# Caches that only a repeated render of the same content hits (module, function).
CONTENT_CACHES = (("blocks.markdown", "to_html"), ("blocks.markdown", "to_text"), ("blocks.markdown", "_tokens"),
                  ("blocks.i18n.catalogs", "_parsed"))

NODE_DIR = ROOT / "bench" / "node"


class _Capture:
    """Stands in for the `mjml` module inside blocks.render, keeping each source it is given."""

    def __init__(self, real):
        self.real, self.sources, self.outputs = real, [], []

    def mjml2html(self, source, **options):
        html = self.real.mjml2html(source, **options)
        self.sources.append(source)
        self.outputs.append(html)
        return html


def capture(issue) -> dict[str, tuple[str, str]]:
    """lang -> (MJML source from our Jinja step, mjml-python's HTML before inlining)."""
    import blocks.render as render
    from blocks.i18n.localize import localize
    shim = _Capture(render.mjml)
    render.mjml = shim
    try:
        for lang in issue.languages:
            render.render_issue(localize(issue, lang), lang, **send_options())
    finally:
        render.mjml = shim.real
    if len(shim.sources) != len(issue.languages):
        raise RuntimeError("blocks.render no longer calls mjml.mjml2html once per language: "
                           "update capture() in bench/rows/render.py")
    return {lang: (src, out) for lang, src, out in zip(issue.languages, shim.sources, shim.outputs)}


def send_options() -> dict:
    """render_issue's options as a send (mailer.send.Sender.template) uses them."""
    from blocks.render import render_issue
    return {"calendar_files": False} if "calendar_files" in inspect.signature(render_issue).parameters else {}


def clear_content_caches() -> list[str]:
    """Empty the content caches that exist; their names."""
    cleared = []
    for module, name in CONTENT_CACHES:
        cached = getattr(importlib.import_module(module), name, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
            cleared.append(f"{module}.{name}")
    return cleared


FIRST_RENDERS = """
import json, sys, time
sys.path.insert(0, {bench!r})
from bench_common import load_issue
from rows.render import send_options
from blocks.i18n.localize import localize
from blocks.render import render_issue
issue = load_issue()
found = {{}}
for lang in issue.languages:
    start = time.perf_counter()
    render_issue(localize(issue, lang), lang, **send_options())
    found[lang] = time.perf_counter() - start
print(json.dumps(found))
"""


def first_renders(runs: int) -> dict[str, float]:
    """Seconds of the first render of each language in a fresh process (median of `runs`)."""
    import statistics
    code = FIRST_RENDERS.format(bench=str(ROOT / "bench"))
    found = [json.loads(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                                       text=True).stdout) for _ in range(runs)]
    return {lang: statistics.median(run[lang] for run in found) for lang in found[0]}


class NodeMJML:
    """A warm node process rendering the given MJML files on request."""

    def __init__(self, sources: list[str], workdir: Path):
        paths = []
        for i, source in enumerate(sources):
            path = workdir / f"source{i}.mjml"
            path.write_text(source, encoding="utf-8")
            paths.append(str(path))
        self.process = subprocess.Popen(["node", str(NODE_DIR / "render.mjs"), *paths], cwd=NODE_DIR,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        ready = self.process.stdout.readline().strip()
        if ready != "ready":
            self.close()
            raise RuntimeError(f"node render.mjs did not start (said {ready!r})")

    def per_render(self, times: int) -> float:
        """Seconds per render, rendering every file `times` times."""
        self.process.stdin.write(f"{times}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["per_render_ms"] / 1000

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.wait(timeout=30)


def node_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    if not (NODE_DIR / "node_modules" / "mjml").is_dir():
        return "the mjml npm package is missing: run `npm ci` in bench/node"
    return None


def run(ctx) -> Row:
    row = Row(1, "Render one language end to end (ours) vs MJML 5 Node API (JS)", ">= 5x faster")
    missing = node_missing()
    if missing:
        return row.skip(missing)
    from blocks.i18n.localize import localize
    from blocks.render import render_issue
    issue = load_issue()
    captured = capture(issue)
    langs, options = list(captured), send_options()
    times, repeats = (3, 3) if ctx.quick else (10, 9)

    def render_all(cold: bool) -> None:
        for lang in langs:
            if cold:
                clear_content_caches()
            render_issue(localize(issue, lang), lang, **options)

    with tempfile.TemporaryDirectory(prefix="bench-render-") as workdir:
        node = NodeMJML([captured[lang][0] for lang in langs], Path(workdir))
        try:
            mine, theirs = side_by_side(lambda: per_call(lambda: render_all(True), times) / len(langs),
                                        lambda: node.per_render(times), repeats)
            cached, _ = side_by_side(lambda: per_call(lambda: render_all(False), times) / len(langs),
                                     lambda: node.per_render(times), repeats)
            engines, engines_js = side_by_side(lambda: _mjml_python(captured, times),
                                               lambda: node.per_render(times), repeats)
        finally:
            node.close()
    first = first_renders(1 if ctx.quick else 3)
    row.ours, row.reference = f"{duration(mine)}/language", f"{duration(theirs)}/language"
    row.judge(theirs / mine, at_least=5)
    row.data = {"languages": langs, "render_options": options, "content_caches": clear_content_caches(),
                "ours_s": mine, "node_mjml_s": theirs, "ours_content_cached_s": cached,
                "engines_mjml_python_css_inline_s": engines, "engines_node_mjml_s": engines_js,
                "first_render_fresh_process_s": first, "renders_per_repeat": times, "repeats": repeats}
    row.notes.append(f"languages {', '.join(langs)}; median of {repeats} interleaved repeats of {times} renders each; "
                     f"options {options or 'default'}; content caches emptied before each render: "
                     f"{', '.join(row.data['content_caches']) or 'none found'}")
    row.notes.append(f"engines alone on the same MJML: mjml-python + css-inline {duration(engines)} vs MJML JS "
                     f"(inlining with juice) {duration(engines_js)} = {engines_js / engines:.1f}x; the rest of "
                     f"our {duration(mine)} is localize, Jinja, Markdown and the text twin")
    row.notes.append(f"rendering the same language again with the content caches full: {duration(cached)} "
                     f"(JS takes {theirs / cached:.1f}x that); first render of each language in a fresh process (what a send "
                     "pays): " + ", ".join(f"{lang} {duration(seconds)}" for lang, seconds in first.items()))
    row.notes.extend(inliner_note(captured, ctx.quick))
    return row


def _mjml_python(captured, times: int) -> float:
    """mjml2html + css-inline alone on the captured sources, per render (what the JS side does)."""
    import mjml
    from blocks.render_env import inliner as _inliner
    sources = [src for src, _ in captured.values()]

    def once():
        for source in sources:
            _inliner().inline(mjml.mjml2html(source, disable_comments=True, fonts={}))
    return per_call(once, times) / len(sources)


def inliner_note(captured, quick: bool) -> list[str]:
    """premailer vs css-inline per email, on mjml-python's English HTML."""
    try:
        from premailer import Premailer
    except ImportError:
        return ["premailer is not installed (pip install premailer): inliner comparison skipped"]
    from blocks.render_env import inliner as _inliner
    html = next(iter(captured.values()))[1]

    def premailer_once():
        Premailer(html, allow_network=False, cssutils_logging_level=logging.CRITICAL).transform()

    times, repeats = (3, 3) if quick else (10, 5)
    css_inline, premailer = side_by_side(lambda: per_call(lambda: _inliner().inline(html), times),
                                         lambda: per_call(premailer_once, times), repeats)
    return [f"inliner per email: css-inline {duration(css_inline)} vs premailer {duration(premailer)} = "
            f"{premailer / css_inline:.0f}x (why we use css-inline)"]
