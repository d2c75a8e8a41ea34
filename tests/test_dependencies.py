"""Every package the product imports is declared in pyproject.toml's [project.dependencies].

The product is compose.py and the project's packages (common, blocks, mailer, workflows, cli, family_web, preview
and any other folder of code beside them), not tests/ or bench/, whose imports belong in the test
and bench extras. Each import anywhere in their .py files (at the top or inside a function: both
run in production), that is neither the standard library nor the project's own, is mapped to the
distribution that installs it and must be declared:
an import that works only because another dependency happens to pull it in breaks the day that one
stops. Imports that the product guards as optional may come from an extra instead: OPTIONAL.
"""
from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOT_PRODUCT = ("tests", "bench")   # their imports belong in the test and bench extras
# The project's own top-level packages: every folder of the repository holding Python code
# (common, blocks, mailer, workflows, cli, family_web, preview, ... and tests, bench), and compose.py.
OWN = sorted(folder.name for folder in ROOT.iterdir() if folder.is_dir() and folder.name.isidentifier()
             and any(folder.rglob("*.py")))
PRODUCT = [ROOT / "compose.py", *(path for package in OWN if package not in NOT_PRODUCT
                                  for path in sorted((ROOT / package).rglob("*.py")))]

# module -> (extra, why it may be missing from the dependencies). None today: psycopg (the postgres
# extra) is loaded by SQLAlchemy from the database URL, never imported by the product.
OPTIONAL: dict[str, tuple[str, str]] = {}


def normalize(name: str) -> str:
    """A distribution name as PEP 503 compares it: "Python_HTTP.Client" == "python-http-client"."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_name(requirement: str) -> str:
    return normalize(re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)[1])


def imported_modules(path: Path) -> dict[str, int]:
    """Top-level names of the absolute imports in one file -> the first line importing each."""
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        for name in names:
            found.setdefault(name.partition(".")[0], node.lineno)
    return found


def third_party_imports() -> dict[str, str]:
    """Each module the product imports that is not stdlib nor its own -> where (file:line), first seen."""
    where: dict[str, str] = {}
    own = set(OWN) | {"compose"}
    for path in PRODUCT:
        for module, line in imported_modules(path).items():
            if module not in sys.stdlib_module_names and module not in own:
                where.setdefault(module, f"{path.relative_to(ROOT)}:{line}")
    return where


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_walk_sees_the_product_and_skips_stdlib_and_own_packages():
    packages = {path.relative_to(ROOT).parts[0] for path in PRODUCT}
    assert {"compose.py", "common", "blocks", "mailer", "workflows", "cli", "family_web", "preview"} <= packages
    assert not {"tests", "bench", ".venv"} & packages
    imports = third_party_imports()
    assert {"sqlalchemy", "flask", "deepl", "markupsafe"} <= set(imports)
    assert not {"os", "json", "blocks", "mailer", "common", "compose"} & set(imports)


def test_every_runtime_import_is_a_declared_dependency():
    declared = {requirement_name(r) for r in project()["dependencies"]}
    extras = {extra: {requirement_name(r) for r in reqs} for extra, reqs in project()["optional-dependencies"].items()}
    distributions = packages_distributions()
    problems = []
    for module, where in sorted(third_party_imports().items()):
        names = {normalize(d) for d in distributions.get(module, [])}
        if not names:
            problems.append(f"{where}: imports {module}, which no installed distribution provides")
            continue
        allowed = declared | (extras[OPTIONAL[module][0]] if module in OPTIONAL else set())
        if not names & allowed:
            problems.append(f"{where}: imports {module} (distribution {', '.join(sorted(names))}), "
                            "not declared in [project.dependencies] of pyproject.toml")
    assert problems == []


def test_optional_imports_name_a_real_extra_that_declares_them():
    extras = project()["optional-dependencies"]
    distributions = packages_distributions()
    for module, (extra, reason) in OPTIONAL.items():
        assert reason and extra in extras
        assert {normalize(d) for d in distributions.get(module, [])} & {requirement_name(r) for r in extras[extra]}
