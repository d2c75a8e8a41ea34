"""DeepL's contract: Prism serves DeepL's official OpenAPI spec (tests/contracts/deepl/) and
validates every request the DeepL provider makes through the official client: the language
list, glossaries, translations and usage. Nothing leaves 127.0.0.1."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from blocks.i18n.machine.deepl import DeepL
from common.errors import ProviderError
from tests.mailer.smtp_sink import free_port

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "tests" / "contracts" / "deepl" / "openapi.json"
PRISM = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "prism"


@pytest.fixture(scope="module")
def prism(tmp_path_factory):
    if not PRISM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("Prism is not installed (npm ci --prefix .ci/node): .ci/run installs it")
        pytest.skip("Prism is not installed (npm ci --prefix .ci/node)")
    port, log = free_port(), tmp_path_factory.mktemp("prism") / "prism.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(PRISM), "mock", "-h", "127.0.0.1", "-p", str(port), str(SPEC)],
                                   stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "SCARF_ANALYTICS": "false"})
    for _ in range(300):                      # wait until it listens (up to ~30 s on a slow machine)
        if process.poll() is not None:
            raise RuntimeError(log.read_text())
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", log
    process.terminate()
    process.wait(10)


def logged(log: Path, since: int, until: str) -> str:
    """Prism's log after byte `since`, once it holds `until` (Prism writes it as it answers)."""
    for _ in range(200):
        text = log.read_bytes()[since:].decode("utf-8", errors="replace")
        if until in text:
            return text
        time.sleep(0.05)
    raise AssertionError(f"Prism never logged {until!r}")


def request_violations(text: str) -> list[str]:
    """What Prism found wrong in the requests it received."""
    return re.findall(r"Violation: request\S* .*", text)


def test_every_request_the_provider_makes_is_valid_against_deepls_spec(prism):
    url, log = prism
    start = log.stat().st_size
    provider = DeepL("contract-test-key:fx", server_url=url, sleep=lambda _: None, delays=())
    assert provider.offered("de") == "DE"              # GET /v3/languages?resource=translate_text
    result = provider.translate(['<p>Visit <a href="https://www.whps.org">our site</a>, <x>__FIRST_NAME__</x>.</p>'],
                                "de", {"Office of Equity Advancement": "Büro für Chancengleichheit"})
    assert len(result.texts) == 1 and provider.notes() == []     # glossary listed, created and used
    assert provider.client.get_usage().character.limit > 0        # GET /v2/usage
    text = logged(log, start, "get /v2/usage")
    for path in ("get /v3/languages", "get /v2/glossaries", "post /v2/glossaries", "post /v2/translate",
                 "get /v2/usage"):
        assert path in text, f"{path} was not requested"
    assert request_violations(text) == []


def test_prism_does_catch_an_invalid_request(prism):
    """The check above means something: a request DeepL's spec forbids is reported."""
    url, log = prism
    start = log.stat().st_size
    wrong = urllib.request.Request(f"{url}/v2/translate", data=b'{"text": ["Hello"], "tag_handling": "markdown"}',
                                   headers={"Authorization": "DeepL-Auth-Key contract-test-key:fx",
                                            "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(wrong, timeout=10)
    except urllib.error.HTTPError:
        pass                                             # Prism may refuse it outright; the log says why
    text = logged(log, start, "Violation: request")
    assert request_violations(text)


def test_an_answer_with_the_wrong_number_of_translations_is_refused_not_misfiled(prism):
    url, _ = prism
    provider = DeepL("contract-test-key:fx", server_url=url, sleep=lambda _: None, delays=())
    with pytest.raises(ProviderError) as caught:          # Prism answers one example translation, whatever is sent
        provider.translate(["<p>One</p>", "Two"], "de", {})
    assert "answered 1 translations for 2 texts" in caught.value.problems[0].message
