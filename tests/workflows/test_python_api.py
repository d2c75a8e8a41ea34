"""The README's Python script runs as shown: plan, test-send, send to the outbox, print the report."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def readme_script() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("<!-- python example -->"):readme.index("<!-- end of python example -->")]
    return re.search(r"```python\n(.*?)```", block, re.S).group(1)


def test_the_readme_script_plans_test_sends_and_sends(tmp_path):
    for name in ("newsletters", "audiences.yaml"):
        (shutil.copytree if (ROOT / name).is_dir() else shutil.copy)(ROOT / name, tmp_path / name)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NEWSLETTER_DB": f"sqlite:///{tmp_path / 'store.db'}"}
    env.pop("NEWSLETTER_SECRET", None)
    imported = subprocess.run([sys.executable, str(ROOT / "compose.py"), "subscribers", "import",
                               str(ROOT / "tests" / "fixtures" / "roster_sample.csv"), "--skip-invalid"],
                              cwd=tmp_path, env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    ran = subprocess.run([sys.executable, "-c", readme_script()], cwd=tmp_path, env=env, capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr
    assert "50 families:" in ran.stdout and "not reached: 0" in ran.stdout and "'sent': 50" in ran.stdout
    assert len(list((tmp_path / "outbox" / "equity" / "2021-09-sept-oct").rglob("*.eml"))) == 50
    assert list((tmp_path / "outbox" / "proofs").rglob("*.eml"))              # the proofs, apart
    again = subprocess.run([sys.executable, "-c", readme_script()], cwd=tmp_path, env=env, capture_output=True,
                           text=True)
    assert "0 families:" in again.stdout                                      # nobody twice
