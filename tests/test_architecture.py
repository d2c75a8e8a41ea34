"""ARCHITECTURE.md stays true: the paths it names exist, the import rules it states hold."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("common", "blocks", "mailer", "workflows", "family_web", "preview", "cli", "studio")
# mailer's sub-packages in the order data flows: each may import only itself and those before it.
MAILER_LAYERS = ("values", "store", "audiences", "roster", "message", "backends", "send", "publish", "reports")
# content (blocks/) -> sending (mailer/) -> the core (workflows/) -> the faces: the command line
# (cli/, registered by compose.py), the families' web (family_web/), the staff's preview (preview/,
# which reads blocks/ and common/ only). No face imports another; nothing imports a face but
# compose.py's commands (and the production WSGI entries); the studio uses the preview's engine.
FACES = {"cli", "family_web", "preview", "studio"}
NEVER = {"common": {"blocks", "mailer", "workflows"} | FACES,
         "blocks": {"mailer", "workflows"} | FACES,
         "mailer": {"workflows"} | FACES,
         "workflows": FACES,
         "family_web": FACES - {"family_web"},
         "preview": {"mailer", "workflows"} | FACES - {"preview"},
         "studio": FACES - {"studio", "preview"},          # the studio renders with the preview's engine
         "cli": set()}                                    # serve, preview and studio start those apps


def modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield path


def imported(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_every_path_architecture_md_names_exists():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    named = {m.split(":")[0] for m in re.findall(r"`([\w./<>*-]+)`", text)
             if "/" in m or m.endswith((".py", ".md", ".yaml"))}
    named = {n for n in named if "<" not in n and "*" not in n and not n.startswith(("http", "/"))}
    assert len(named) > 30
    bare = {path.name for package in PACKAGES for path in (ROOT / package).rglob("*")}
    missing = sorted(n for n in named if not ((ROOT / n).exists() or ("/" not in n and n in bare)))
    assert missing == [], "ARCHITECTURE.md names paths that do not exist"


@pytest.mark.parametrize("package", sorted(NEVER))
def test_imports_go_one_way(package):
    wrong = {}
    for path in (ROOT / package).rglob("*.py"):
        bad = {name for name in imported(path) if name.split(".")[0] in NEVER[package]}
        if bad:
            wrong[str(path.relative_to(ROOT))] = sorted(bad)
    assert wrong == {}


def test_mailer_sub_packages_import_only_those_before_them():
    wrong = []
    for layer, name in enumerate(MAILER_LAYERS):
        allowed = set(MAILER_LAYERS[:layer + 1])
        for path in (ROOT / "mailer" / name).rglob("*.py"):
            for module in imported(path):
                parts = module.split(".")
                if parts[0] == "mailer" and len(parts) > 1 and parts[1] in MAILER_LAYERS and parts[1] not in allowed:
                    wrong.append(f"{path.relative_to(ROOT)} imports {module}")
    assert wrong == []


def test_no_exit_calls_below_the_command_line():
    """Exit codes are set in one place, compose.py (ARCHITECTURE.md, "Exit codes"); the production
    WSGI entry's "failed to boot" code is gunicorn's convention, not a command's."""
    exits = []
    for path in modules():
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(sys\.exit|os\._exit|SystemExit|\.exit)\(", text) and path.name != "wsgi.py":
            exits.append(str(path.relative_to(ROOT)))
    assert exits == []


def test_no_two_modules_share_a_name_or_differ_only_by_a_plural():
    """Names say what each module holds: one `report.py` per project, not four. Block types
    (blocks/types/) are named after their type, and each web app's deployment entry points
    (wsgi.py, gunicorn_conf.py) after gunicorn's conventions: those are exempt."""
    seen: dict[str, list[str]] = {}
    for path in modules():
        if path.name in ("__init__.py", "wsgi.py", "gunicorn_conf.py") or path.parent.name in ("types", "versions"):
            continue
        seen.setdefault(path.stem.rstrip("s"), []).append(str(path.relative_to(ROOT)))
    assert {stem: paths for stem, paths in seen.items() if len(paths) > 1} == {}
