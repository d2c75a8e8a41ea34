"""The district's content is not code: the library of standing blocks and its translations live in
newsletters/library/ beside the publications, and no command ever writes inside a Python package.

The commands run as staff run them (python compose.py ..., in another folder), the machine
translations through the local DeepL and Google stubs on 127.0.0.1 (tests/blocks/test_machine_google.py)."""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from blocks.loader import load_issue, load_publications
from common.errors import NewsletterError
from tests.conftest import ROOT, SAMPLE
from tests.deepl_stub import DeepLStub
from tests.google_stub import GoogleStub

PACKAGES = ("common", "blocks", "mailer", "workflows", "cli", "family_web", "preview", "studio")
COMPOSE = str(ROOT / "compose.py")


def fingerprints(*folders: Path) -> dict[str, str]:
    """Every file under `folders` (compiled bytecode aside) and a hash of its bytes and mtime."""
    found = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                found[str(path)] = hashlib.sha256(path.read_bytes() + str(path.stat().st_mtime_ns).encode()).hexdigest()
    return found


def compose(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, COMPOSE, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})})


@pytest.fixture
def copy(tmp_path) -> Path:
    """tmp/newsletters: the sample publications, their issues and the library, with the machine
    translations taken out (of the issue and of the library) so that `--all-missing` has work."""
    newsletters = tmp_path / "newsletters"
    shutil.copytree(ROOT / "newsletters", newsletters)
    issue_i18n = newsletters / "equity" / SAMPLE.name / "i18n"
    for machine_made in [*issue_i18n.glob("*.po"), issue_i18n / "machine-run.json"]:
        if machine_made.name not in ("es.po", "ar.po"):          # the human editions stay
            machine_made.unlink()
    for catalog in (newsletters / "library" / "i18n").glob("*.po"):
        if catalog.name != "es.po":
            catalog.unlink()
    return newsletters


def test_machine_translations_and_build_write_only_in_the_content_tree(copy, tmp_path):
    before = fingerprints(*(ROOT / name for name in PACKAGES), ROOT / "newsletters")
    issue = copy / "equity" / SAMPLE.name
    with DeepLStub() as deepl, GoogleStub() as google:
        env = {"DEEPL_AUTH_KEY": "stub-key", "DEEPL_SERVER_URL": deepl.url,
               "GOOGLE_TRANSLATE_API_KEY": "stub-key", "GOOGLE_TRANSLATE_ENDPOINT": google.url}
        machine = compose("translations", "machine", issue.relative_to(tmp_path), "--all-missing", cwd=tmp_path, env=env)
    assert machine.returncode == 0, machine.stderr + machine.stdout
    built = compose("build", issue.relative_to(tmp_path), "--out", tmp_path / "out", cwd=tmp_path)
    assert built.returncode == 0, built.stderr + built.stdout

    after = fingerprints(*(ROOT / name for name in PACKAGES), ROOT / "newsletters")
    assert sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p)) == []  # nothing of the checkout
    library_catalogs = {p.name for p in (copy / "library" / "i18n").glob("*.po")}
    assert {"vi.po", "bs.po", "ur.po"} <= library_catalogs          # the library's translations: beside the issues
    assert "library/mental-health." in (copy / "library" / "i18n" / "vi.po").read_text(encoding="utf-8")
    assert "[VI]" in (tmp_path / "out" / "vi.html").read_text(encoding="utf-8")


def test_the_library_is_found_beside_the_publications_or_where_it_is_given(copy, tmp_path):
    issue = load_issue(copy / "equity" / SAMPLE.name)
    assert issue.library.resolve() == (copy / "library").resolve()
    included = [b for b in issue.blocks if b.library]
    assert included and all("newsletters/library/" in b.source for b in included)
    elsewhere = shutil.move(copy / "library", tmp_path / "shared-library")     # NEWSLETTER_LIBRARY, given
    moved = load_issue(copy / "equity" / SAMPLE.name, library_dir=elsewhere)
    assert [b.id for b in moved.blocks] == [b.id for b in issue.blocks]
    assert all(b.source.endswith(f"shared-library/{b.library}.yaml") for b in moved.blocks if b.library)


def test_an_issue_with_no_library_beside_it_says_what_to_do(tmp_path):
    folder = tmp_path / "elsewhere" / "equity"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE.parent / "publication.yaml", folder)
    shutil.copytree(SAMPLE, folder / SAMPLE.name)
    with pytest.raises(NewsletterError) as caught:
        load_issue(folder / SAMPLE.name)
    problems = caught.value.problems
    assert len(problems) == 2 and all(p.key.endswith(".include") for p in problems)   # both includes, at once
    first = problems[0]
    assert first.file.endswith("issue.yaml") and first.line is not None
    assert "library block" in first.message and str(tmp_path / "elsewhere" / "library") in first.message
    assert "git mv blocks/library" in first.hint and "NEWSLETTER_LIBRARY" in first.hint

    checked = compose("check", folder / SAMPLE.name, cwd=tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "'mental-health' is a library block, and there is no library folder" in checked.stderr


def test_the_library_is_neither_a_publication_nor_an_issue(copy, tmp_path):
    assert sorted(folder.name for folder in load_publications(copy)) == ["equity", "food"]
    checked = compose("check", "newsletters/library", cwd=tmp_path)
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    assert "the library of standing blocks, not an issue's folder" in checked.stderr
    refused = compose("new-publication", "newsletters/library", cwd=tmp_path)
    assert refused.returncode == 1 and "not a publication's" in refused.stderr
    assert not (copy / "library" / "publication.yaml").exists()
    no_issue = compose("new", "newsletters/library/2021-11-nov", cwd=tmp_path)
    assert no_issue.returncode == 1 and "issues are not written there" in no_issue.stderr
    assert not (copy / "library" / "2021-11-nov").exists()


def test_the_package_ships_no_content():
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["package-data"]
    assert not [pattern for patterns in shipped.values() for pattern in patterns if "library" in pattern]
    assert not (ROOT / "blocks" / "library").exists()
