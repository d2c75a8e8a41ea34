"""The settings object (common/settings.py): the one reader of the environment, every wrong value
at once, and the README's settings tables listing exactly its variables."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from common.errors import ConfigError
from common.settings import Settings, table

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("common", "blocks", "mailer", "workflows", "cli", "family_web", "preview", "studio")


def product_files():
    yield ROOT / "compose.py"
    for package in PRODUCT:
        yield from sorted((ROOT / package).rglob("*.py"))


def reads_environment(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb", "putenv") \
                and isinstance(node.value, ast.Name) and node.value.id == "os":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
        if isinstance(node, ast.ImportFrom) and node.module == "os" and \
                {a.name for a in node.names} & {"environ", "getenv", "environb"}:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_only_the_settings_module_reads_the_environment():
    readers = [place for path in product_files() if path != ROOT / "common" / "settings.py"
               for place in reads_environment(path)]
    assert readers == []


def test_every_wrong_value_is_named_at_once_before_any_work():
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"NEWSLETTER_BASE_URL": "newsletter.example.org", "SMTP_PORT": "70000",
                           "NEWSLETTER_SECRET": "short", "SMTP_SECURITY": "ssl", "SENDGRID_MAX_WAIT": "five"})
    named = [p.key for p in caught.value.problems]
    assert named == ["NEWSLETTER_SECRET", "NEWSLETTER_BASE_URL", "SMTP_PORT", "SMTP_SECURITY", "SENDGRID_MAX_WAIT"]
    text = str(caught.value)
    assert "'newsletter.example.org' is not an http:// or https:// address" in text
    assert "'70000' is not a whole number from 1 to 65535" in text and "'ssl' is not one of starttls, tls, none" in text
    assert "5 characters long" in text


def test_a_command_stops_on_a_wrong_setting_before_doing_anything(tmp_path):
    from compose import cli
    result = CliRunner().invoke(cli, ["check", "newsletters/equity/2021-09-sept-oct"],
                                env={"SMTP_PORT": "0", "NEWSLETTER_DB": ""})
    assert result.exit_code == 1 and "SMTP_PORT: '0' is not a whole number from 1 to 65535" in result.output
    assert "no problems" not in result.output
    helped = CliRunner().invoke(cli, ["check", "--help"], env={"SMTP_PORT": "0"})
    assert helped.exit_code == 0                      # a wrong setting never hides a command's help


def test_values_are_typed():
    settings = Settings.from_env({"SMTP_PORT": "2525", "SMTP_TIMEOUT": "1.5", "NEWSLETTER_BASE_URL": "https://x.org/",
                                  "SOURCE_DATE_EPOCH": "0", "NEWSLETTER_SECRET_PREVIOUS": "a" * 8 + "bcdefghijklmnop, "})
    assert settings.smtp_port == 2525 and settings.smtp_timeout == 1.5 and settings.base_url == "https://x.org"
    assert settings.build_time.year == 1970 and settings.secret_previous == ("aaaaaaaabcdefghijklmnop",)
    assert Settings.from_env({}).smtp_port is None                  # unset: the backend's default applies
    with pytest.raises(ConfigError, match="SMTP_HOST: is not set"):
        Settings.from_env({}).require("smtp_host")


def test_the_readme_lists_exactly_the_settings():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("<!-- settings table -->")
    end = readme.index("<!-- end of settings table -->")
    listed = re.findall(r"^\| `([A-Z_]+)` \|", readme[start:end], re.MULTILINE)
    assert listed == [env for _, env, _ in table()]


@pytest.mark.parametrize("secret", ["abcdefgh" * 4, "Password1" * 4, " " * 32 + "abcdefgh"])
def test_long_guessable_secrets_are_refused_with_the_command_that_makes_a_random_one(secret):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"NEWSLETTER_SECRET": secret})
    text = str(caught.value)
    assert "NEWSLETTER_SECRET: is guessable" in text and "zxcvbn" in text
    assert "python -c 'import secrets; print(secrets.token_urlsafe(32))'" in text.split("->")[0]   # in the message
    # (older secrets that really signed links are kept as they were: refusing one breaks its links)


def test_random_secrets_pass():
    import secrets
    for _ in range(5):
        made = secrets.token_urlsafe(32)
        assert Settings.from_env({"NEWSLETTER_SECRET": made, "NEWSLETTER_SECRET_PREVIOUS": made[:20]}).secret == made
