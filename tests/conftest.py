import shutil
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "newsletters" / "equity" / "2021-09-sept-oct"


@pytest.fixture
def make_issue(tmp_path, monkeypatch):
    """Write an issue folder (with the real publication.yaml beside it, and the real library blocks,
    without their translations, in tmp/newsletters/library) and return its path."""
    monkeypatch.chdir(tmp_path)
    newsletters = tmp_path / "newsletters" / "equity"
    newsletters.mkdir(parents=True)
    shutil.copy(ROOT / "newsletters" / "equity" / "publication.yaml", newsletters / "publication.yaml")
    (tmp_path / "newsletters" / "library").mkdir()
    for block in (ROOT / "newsletters" / "library").glob("*.yaml"):
        shutil.copy(block, tmp_path / "newsletters" / "library" / block.name)

    def make(issue_yaml: str, name: str = "test-issue") -> Path:
        folder = newsletters / name
        folder.mkdir()
        (folder / "issue.yaml").write_text(textwrap.dedent(issue_yaml), encoding="utf-8")
        return folder

    return make


@pytest.fixture(scope="session")
def sample_issue():
    from blocks.loader import load_issue
    return load_issue(SAMPLE)


@pytest.fixture(scope="session")
def sample_en(sample_issue):
    from blocks.render import render_issue
    return render_issue(sample_issue, "en")
