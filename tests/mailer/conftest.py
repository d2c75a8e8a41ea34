"""Fixtures for the sending side. Store tests run on SQLite and on PostgreSQL.

PostgreSQL: set NEWSLETTER_TEST_PG to a SQLAlchemy URL (`source .ci/postgres.sh` does it).
Unset, the PostgreSQL cases are skipped - except under CI=true, where they fail.
Each test gets its own database: a fresh SQLite file, or a fresh PostgreSQL schema.
"""
from __future__ import annotations

import csv
import os
import uuid
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import compose

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
AUDIENCES = ROOT / "audiences.yaml"
PG_ENV = "NEWSLETTER_TEST_PG"


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path):
    """A SQLAlchemy URL of an empty database on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store' / 'newsletter.db'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{PG_ENV} is not set under CI: source .ci/postgres.sh before pytest")
        pytest.skip(f"PostgreSQL tests need {PG_ENV} (source .ci/postgres.sh)")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield make_url(base).update_query_dict({"options": f"-csearch_path={schema}"}) \
            .render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def store(store_url):
    from mailer.store.subscribers import Store
    with Store.open(store_url) as opened:
        yield opened


@pytest.fixture(scope="session")
def audiences():
    from mailer.audiences.audiences_file import load_audiences
    return load_audiences(AUDIENCES)


@pytest.fixture
def write_roster(tmp_path):
    """Write a CSV roster from a header and rows; returns its path."""

    def write(rows: list[list[str]], header=("Parent Email", "Parent Name", "Home Language", "School", "Grade"),
              name: str = "roster.csv") -> Path:
        path = tmp_path / name
        with open(path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            writer.writerows(rows)
        return path

    return write


@pytest.fixture
def run(store_url, monkeypatch):
    """Run a `subscribers ...` or `audience ...` command against the test store; returns the Result."""
    monkeypatch.setenv("NEWSLETTER_DB", store_url)
    monkeypatch.setenv("NEWSLETTER_AUDIENCES", str(AUDIENCES))
    root = compose.cli
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(root, [str(a) for a in args], catch_exceptions=False)

    return invoke
