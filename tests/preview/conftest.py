"""A copy of the sample issue to edit, and the preview served over it on 127.0.0.1."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT

KICKOFF = "title: One Community for Equity Virtual Kick Off"


@pytest.fixture
def newsletters(tmp_path, monkeypatch) -> Path:
    """tmp/newsletters with the publication, its translations and the sample issue; the current
    folder is tmp, so problems name newsletters/equity/2021-09-sept-oct/issue.yaml as `check` would."""
    folder = tmp_path / "newsletters"
    shutil.copytree(ROOT / "newsletters", folder)
    i18n = folder / "equity" / "2021-09-sept-oct" / "i18n"
    for machine_made in [*i18n.glob("*.po"), i18n / "machine-run.json"]:    # the human editions: en, es, ar
        if machine_made.name not in ("es.po", "ar.po"):
            machine_made.unlink()
    monkeypatch.chdir(tmp_path)
    return folder


@pytest.fixture
def issue(newsletters) -> Path:
    return newsletters / "equity" / "2021-09-sept-oct"


def edit(path: Path, old: str, new: str) -> None:
    """Save `path` with `old` replaced by `new` (exactly once), as an editor does."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def server(issue):
    from preview.server import PreviewServer
    running = PreviewServer(issue, port=0).start()
    yield running
    running.stop()
