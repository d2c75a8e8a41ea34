"""DeepL, through its official Python client (`deepl`), public methods only; the two requests it
does not make as DeepL's OpenAPI spec asks (the language list, creating a glossary) go to the
documented endpoints with `requests` (`_request`). tests/blocks/test_machine_contract.py checks every
request against that spec.

Settings: DEEPL_AUTH_KEY (required; keys ending in ":fx" use the free API's server) and
DEEPL_SERVER_URL (optional: another server, e.g. the test stub on 127.0.0.1). Texts go as
XML (`tag_handling="xml"`, tag handling v2) with <x> ignored, from English, formal where the
language has it. Names the glossary translates go in a DeepL glossary per language, made
once and found again by name. 429 and 5xx are retried here with backoff (the client's own
retries are turned off, so the wait is ours to choose and to test).
"""
from __future__ import annotations

import hashlib
import time
from typing import Callable
from urllib.parse import urljoin

import deepl
import requests
from babel import Locale

from blocks.i18n.machine.provider import Provider, Translated, with_retries
from blocks.i18n.machine.markup import IGNORED
from common.errors import ConfigError, ProviderError, TransientError
from common.redaction import not_like, redact, reply_text
from common.settings import Settings

KEY, SERVER = "DEEPL_AUTH_KEY", "DEEPL_SERVER_URL"
# Our codes where DeepL's target differs from the upper-cased language (US families: Brazilian Portuguese).
TARGETS = {"zh_Hans": "ZH-HANS", "zh_Hant": "ZH-HANT", "zh": "ZH-HANS", "pt": "PT-BR", "pt_BR": "PT-BR",
           "pt_PT": "PT-PT", "en": "EN-US", "en_US": "EN-US", "en_GB": "EN-GB", "nb": "NB", "no": "NB"}
BATCH = 50                        # texts per request (DeepL takes up to 50, within 128 KiB)
RETRY_DELAYS = (1, 2, 4, 8, 16)   # seconds between tries when DeepL is busy
TIMEOUT = 30                      # seconds for one of _request's requests (the client's own: its default)


class DeepL(Provider):
    name, display_name = "deepl", "DeepL"

    def __init__(self, auth_key: str, server_url: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 delays: tuple[float, ...] = RETRY_DELAYS, publication: str = "newsletter",
                 secrets: tuple[str, ...] = ()):
        deepl.http_client.max_network_retries = 0          # we retry (base.with_retries), with waits we choose
        self.server_url, self.sleep, self.delays, self.publication = server_url, sleep, delays, publication
        self.secrets = (auth_key, *secrets)                # never in a message (common/redaction.py)
        self.client = deepl.Translator(auth_key, server_url=server_url, send_platform_info=False)
        self._session = requests.Session()                 # _request's, with the key the client uses
        self._session.headers["Authorization"] = f"DeepL-Auth-Key {auth_key}"
        self._targets: set[str] | None = None
        self._glossaries: dict[str, str | None] = {}
        self._notes: list[str] = []

    @classmethod
    def from_settings(cls, settings: Settings, **options) -> "DeepL":
        key = settings.deepl_auth_key
        if not key:
            raise ConfigError(KEY, "no DeepL API key is set",
                              "set DEEPL_AUTH_KEY to the key from your DeepL account (Account > API keys); "
                              "for the test stub any value works, with DEEPL_SERVER_URL=http://127.0.0.1:8089",
                              outcome="nothing was translated")
        return cls(key, settings.deepl_server_url or None, **({"secrets": settings.secrets()} | options))

    @property
    def label(self) -> str:
        if not self.server_url:
            return self.name
        return f"{self.name}@{self.server_url.split('://', 1)[-1].rstrip('/')}"

    def header_note(self, lang: str) -> str:
        note = super().header_note(lang)
        host = (self.server_url or "").split("://", 1)[-1].split(":")[0]
        if host in ("127.0.0.1", "localhost", "::1"):
            name, code = Locale.parse(lang).get_display_name("en"), TARGETS.get(lang, lang.split("_")[0].upper())
            note += (f" NOT DeepL: a local server ({self.server_url}). If it is the test stub (tests/deepl_stub.py), "
                     f"its entries are pseudo-translations (the English marked [{code}]), not real {name}.")
        return note

    def offered(self, lang: str) -> str | None:
        if self._targets is None:
            self._targets = {item["lang"].upper() for item in self._call(self._languages)
                             if item.get("usable_as_target")}
        code = TARGETS.get(lang, lang.split("_")[0].upper())
        return code if code in self._targets or code.split("-")[0] in self._targets else None

    def translate(self, texts: list[str], lang: str, glossary: dict[str, str]) -> Translated:
        code = self.offered(lang)
        if code is None:
            raise ProviderError(self.not_offered(lang), outcome="nothing was translated")
        glossary_id = self._glossary(code, lang, glossary) if glossary else None
        out, billed = [], 0
        for start in range(0, len(texts), BATCH):
            results = self._call(self.client.translate_text, texts[start:start + BATCH], source_lang="EN",
                                 target_lang=code, tag_handling="xml", tag_handling_version="v2",
                                 ignore_tags=[IGNORED], split_sentences="nonewlines", formality="prefer_more",
                                 glossary=glossary_id)
            if not results:
                raise self._not_deepl()              # (the client reads a web page as no translations)
            if len(results) != len(texts[start:start + BATCH]):
                raise ProviderError(f"DeepL answered {len(results)} translations for "
                                    f"{len(texts[start:start + BATCH])} texts", "run the same command again; if it "
                                    "happens again, report it", outcome="the rest was not translated")
            out += [r.text for r in results]
            billed += sum(r.billed_characters or 0 for r in results)
        return Translated(out, billed)

    def notes(self) -> list[str]:
        return list(self._notes)

    def _glossary(self, code: str, lang: str, entries: dict[str, str]) -> str | None:
        digest = hashlib.sha1(repr(sorted(entries.items())).encode()).hexdigest()[:10]
        name = f"{self.publication} EN-{code} {digest}"
        if name not in self._glossaries:
            found = next((g for g in self._call(self.client.list_glossaries) if g.name == name), None)
            try:
                found = found or self._call(self._create_glossary, name, code, entries)
                self._glossaries[name] = found.glossary_id
            except ProviderError as e:
                self._glossaries[name] = None
                self._notes.append(f"DeepL has no glossary for {Locale.parse(lang).get_display_name('en')} "
                                   f"({e.problems[0].message}): the names glossary.yaml translates are left to "
                                   "DeepL there; check them when reviewing")
        return self._glossaries[name]

    def _languages(self) -> list[dict]:
        """GET /v3/languages?resource=translate_text. (The client's get_target_languages sends
        `type=target` as a body on a GET, which DeepL's own OpenAPI contract does not allow, and
        uses /v2/languages, which it deprecates; so this request is ours: see _request.)"""
        data = self._request("GET", "v3/languages", params={"resource": "translate_text"})
        if not isinstance(data, list) or not all(isinstance(item, dict) and "lang" in item for item in data):
            raise self._not_deepl()
        return data

    def _create_glossary(self, name: str, code: str, entries: dict[str, str]) -> deepl.GlossaryInfo:
        """POST /v2/glossaries with the lower-case language codes DeepL's contract asks for (the
        client's create_glossary upper-cases them); glossaries are per language, not per region."""
        body = {"name": name, "source_lang": "en", "target_lang": code.split("-")[0].lower(),
                "entries": "\n".join(f"{source}\t{target}" for source, target in entries.items()),
                "entries_format": "tsv"}
        return deepl.GlossaryInfo.from_json(self._request("POST", "v2/glossaries", json=body))

    def _request(self, method: str, path: str, **kwargs):
        """One request to DeepL's documented REST API with `requests`, for the two the client does
        not make as the contract asks (above): the client's server (its public `server_url`: the
        free API's for ":fx" keys) and the documented `DeepL-Auth-Key` header. A refusal or a
        failure raises the client's own exceptions, so _once turns them into ours as for the rest."""
        url = urljoin(self.client.server_url.rstrip("/") + "/", path)
        try:
            response = self._session.request(method, url, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as e:
            raise deepl.ConnectionException(f"Connection failed: {e}", should_retry=True) from None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.ok:
            if data is None:
                raise self._not_deepl()
            return data
        status = response.status_code
        message = f", message: {data['message']}" if isinstance(data, dict) and "message" in data else ""
        if status == 403:
            raise deepl.AuthorizationException(f"Authorization failure, check auth_key{message}",
                                               http_status_code=status)
        if status == 456:
            raise deepl.QuotaExceededException(f"Quota for this billing period has been exceeded{message}",
                                               http_status_code=status)
        if status == 429:
            raise deepl.TooManyRequestsException(f"Too many requests{message}", should_retry=True,
                                                 http_status_code=status)
        raise deepl.DeepLException(reply_text(status, response.reason, message[2:] or response.text, ()),
                                   should_retry=status >= 500, http_status_code=status)

    def _not_deepl(self) -> ProviderError:
        """An answer that is not DeepL's (a web page, another API): stop, never read it as "no languages"."""
        return ProviderError(not_like("DeepL", self.client.server_url),
                             f"check {SERVER} (unset it for DeepL's own server)" if self.server_url else
                             "run the same command again later; if it happens again, report it",
                             outcome="nothing more was translated")

    def _call(self, method, *args, **kwargs):
        """One API call, retried while DeepL is busy; its errors as ours."""
        return with_retries(lambda: self._once(method, *args, **kwargs), self.delays, self.sleep)

    def _once(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except deepl.DeepLException as e:
            raise self._ours(e) from None
        except (ValueError, KeyError):         # the client could not read the answer
            raise self._not_deepl() from None

    def _ours(self, e: deepl.DeepLException) -> Exception:
        """The client's exception as ours, its words (which may quote the request) redacted."""
        said, status = redact(str(e), self.secrets), getattr(e, "http_status_code", None)
        if isinstance(e, deepl.AuthorizationException):
            return ConfigError(KEY, f"DeepL refused the key ({status or 403}: {said})",
                               "check DEEPL_AUTH_KEY: copy the key again from your DeepL account",
                               outcome="nothing more was translated")
        if isinstance(e, deepl.QuotaExceededException):
            return ProviderError("DeepL's character quota for this billing period is used up (456)",
                                 "what was translated before is kept; run the same command after the quota "
                                 "renews, or raise the limit in your DeepL account", status=456,
                                 outcome="the rest was not translated")
        busy = isinstance(e, (deepl.TooManyRequestsException, deepl.ConnectionException)) or (status or 0) >= 500
        if not busy:
            return ProviderError(f"DeepL refused the request: {said}", "this is likely a bug; please report it",
                                 status=status, outcome="the rest was not translated")
        where = f" at {self.server_url}" if self.server_url else ""
        error = TransientError(f"DeepL{where} is busy or cannot be reached ({said})",
                               "what was translated is kept: run the same command again later"
                               + (f" (check {SERVER})" if self.server_url else ""), status=status,
                               unreachable=isinstance(e, deepl.ConnectionException))
        error.outcome = "nothing more was translated"
        return error
