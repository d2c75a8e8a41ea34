"""Google Cloud Translation - Basic (v2 REST), through `requests`.

Settings: GOOGLE_TRANSLATE_API_KEY (required: an API key of a Google Cloud project with the
Cloud Translation API enabled) and GOOGLE_TRANSLATE_ENDPOINT (optional: another server, e.g.
the test stub on 127.0.0.1). The official client (google-cloud-translate) is not used: it
brings gRPC, protobuf and google-auth for what is two HTTP requests here.

    GET  {endpoint}/language/translate/v2/languages         the languages it translates into
    POST {endpoint}/language/translate/v2  {q: [...], target, source: en, format: html}

The key goes in the X-Goog-Api-Key header (never in an address that could be logged). Texts go
as HTML with what must not change in <span translate="no"> (blocks/i18n/machine/html.py).
Google bills every character sent, tags included, and Basic has no glossaries: names to keep
are protected, names glossary.yaml translates are left to Google (said in the run's notes).
Errors: a refused key (400 API_KEY_INVALID, 401, 403) is a ConfigError naming the setting; a
used-up daily quota (403 dailyLimitExceeded) a ProviderError; 429, a per-minute limit (403
userRateLimitExceeded) and 5xx are retried with backoff, then a TransientError.
"""
from __future__ import annotations

import time
from typing import Callable

import requests
from babel import Locale

from blocks.i18n.machine import html
from blocks.i18n.machine.provider import Provider, Translated, with_retries
from common.errors import ConfigError, ProviderError, TransientError
from common.redaction import not_like, redact, reply_text
from common.settings import Settings

KEY, ENDPOINT = "GOOGLE_TRANSLATE_API_KEY", "GOOGLE_TRANSLATE_ENDPOINT"
DEFAULT_ENDPOINT = "https://translation.googleapis.com"
# Our codes where Google's differs from the language alone (US families: Brazilian Portuguese is "pt").
TARGETS = {"zh_Hans": "zh-CN", "zh": "zh-CN", "zh_Hant": "zh-TW", "pt_PT": "pt-PT", "pt_BR": "pt", "he": "iw"}
BATCH, BATCH_CHARACTERS = 128, 5000    # per request: Google's limit of texts, its recommended size
RETRY_DELAYS = (1, 2, 4, 8, 16)        # seconds between tries when Google is busy
KEY_REFUSED = {"API_KEY_INVALID", "keyInvalid", "API_KEY_SERVICE_BLOCKED", "SERVICE_DISABLED", "accessNotConfigured",
               "forbidden", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "PERMISSION_DENIED"}
QUOTA = {"dailyLimitExceeded", "quotaExceeded", "dailyLimitExceededUnreg", "billingNotEnabled", "BILLING_DISABLED"}
BUSY = {"userRateLimitExceeded", "rateLimitExceeded", "RATE_LIMIT_EXCEEDED"}


class GoogleTranslate(Provider):
    name, display_name = "google", "Google Cloud Translation"

    def __init__(self, api_key: str, endpoint: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 delays: tuple[float, ...] = RETRY_DELAYS, publication: str = "newsletter", timeout: float = 60,
                 secrets: tuple[str, ...] = ()):
        self.endpoint, self.sleep, self.delays, self.timeout = endpoint, sleep, delays, timeout
        self.secrets = (api_key, *secrets)                 # never in a message (common/redaction.py)
        self.base = (endpoint or DEFAULT_ENDPOINT).rstrip("/") + "/language/translate/v2"
        self.session = requests.Session()
        self.session.headers.update({"X-Goog-Api-Key": api_key, "User-Agent": "equity-newsletter"})
        self._targets: set[str] | None = None
        self._notes: list[str] = []

    @classmethod
    def from_settings(cls, settings: Settings, **options) -> "GoogleTranslate":
        key = settings.google_api_key
        if not key:
            raise ConfigError(KEY, "no Google Cloud Translation API key is set",
                              "set GOOGLE_TRANSLATE_API_KEY to an API key of a Google Cloud project with the Cloud "
                              "Translation API enabled (APIs & Services > Credentials); for the test stub any value "
                              "works, with GOOGLE_TRANSLATE_ENDPOINT=http://127.0.0.1:8090",
                              outcome="nothing was translated")
        return cls(key, settings.google_endpoint or None, **({"secrets": settings.secrets()} | options))

    @property
    def label(self) -> str:
        if not self.endpoint:
            return self.name
        return f"{self.name}@{self.endpoint.split('://', 1)[-1].rstrip('/')}"

    def header_note(self, lang: str) -> str:
        note = super().header_note(lang)
        host = (self.endpoint or "").split("://", 1)[-1].split(":")[0]
        if host in ("127.0.0.1", "localhost", "::1"):
            name, code = Locale.parse(lang).get_display_name("en"), self._code(lang).upper()
            note += (f" NOT Google: a local server ({self.endpoint}). If it is the test stub (tests/google_stub.py), "
                     f"its entries are pseudo-translations (the English marked [{code}]), not real {name}.")
        return note

    def offered(self, lang: str) -> str | None:
        if self._targets is None:
            data = self._call("GET", self.base + "/languages")
            languages = data.get("languages")
            if not isinstance(languages, list) or not all(isinstance(item, dict) for item in languages):
                raise self._not_google()
            self._targets = {item.get("language", "") for item in languages}
        code = self._code(lang)
        return code if code in self._targets else None

    def billable(self, xml_text: str) -> int:
        """Google bills every character it is sent, the HTML tags included."""
        return len(html.to_html(xml_text))

    def translate(self, texts: list[str], lang: str, glossary: dict[str, str]) -> Translated:
        code = self.offered(lang)
        if code is None:
            raise ProviderError(self.not_offered(lang), outcome="nothing was translated")
        if glossary:
            self._notes.append(f"Google Cloud Translation (Basic) has no glossaries: in "
                               f"{Locale.parse(lang).get_display_name('en')} the names glossary.yaml translates "
                               f"({', '.join(sorted(glossary))}) are Google's own translation; check them when reviewing")
        out, billed = [], 0
        for batch in _batches([html.to_html(text) for text in texts]):
            data = self._call("POST", self.base, json={"q": batch, "target": code, "source": "en", "format": "html"})
            translations = data.get("translations")
            if not isinstance(translations, list) or not all(isinstance(item, dict) for item in translations):
                raise self._not_google()
            answers = [item.get("translatedText", "") for item in translations]
            if len(answers) != len(batch):
                raise ProviderError(f"Google answered {len(answers)} translations for {len(batch)} texts",
                                    "run the same command again; if it happens again, report it",
                                    outcome="the rest was not translated")
            out += [html.to_xml(answer) for answer in answers]
            billed += sum(len(q) for q in batch)
        return Translated(out, billed)

    def notes(self) -> list[str]:
        return list(dict.fromkeys(self._notes))

    def _code(self, lang: str) -> str:
        return TARGETS.get(lang, lang.split("_")[0].lower())

    def _call(self, method: str, url: str, **kwargs) -> dict:
        """One API call, retried while Google is busy; its `data`, or its errors as ours."""
        return with_retries(lambda: self._once(method, url, **kwargs), self.delays, self.sleep)

    def _once(self, method: str, url: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.RequestException as e:
            status, problem, unreachable = None, redact(f"{type(e).__name__}: {e}", self.secrets), True
        else:
            if response.status_code == 200:
                data = _json(response).get("data")
                if not isinstance(data, dict):
                    raise self._not_google()
                return data
            status, unreachable = response.status_code, False
            message, reasons = _error(response)
            problem = reply_text(None, message, None, self.secrets)
            self._refuse(status, problem, reasons)
        where = f" at {self.endpoint}" if self.endpoint else ""
        problem = f"{status}: {problem}" if status else problem
        error = TransientError(f"Google Cloud Translation{where} is busy or cannot be reached ({problem})",
                               "what was translated is kept: run the same command again later"
                               + (f" (check {ENDPOINT})" if self.endpoint else ""), status=status,
                               unreachable=unreachable)
        error.outcome = "nothing more was translated"
        raise error

    def _not_google(self) -> ProviderError:
        """An answer that is not Google's (a web page, another API): stop, never read it as "no languages"."""
        return ProviderError(not_like("Google Cloud Translation", self.base),
                             f"check {ENDPOINT} (unset it for Google's own server)" if self.endpoint else
                             "run the same command again later; if it happens again, report it",
                             outcome="nothing more was translated")

    def _refuse(self, status: int, problem: str, reasons: set[str]) -> None:
        """Raise for an answer retrying won't change; return for one that may pass (busy, down)."""
        if reasons & QUOTA:
            raise ProviderError(f"Google Cloud Translation's quota is used up ({status}: {problem})",
                                "what was translated before is kept; run the same command when the daily quota "
                                "renews (midnight Pacific time), or raise it in the Google Cloud console (IAM & "
                                "Admin > Quotas) and check the project's billing", status=status,
                                outcome="the rest was not translated")
        if status == 429 or status >= 500 or reasons & BUSY:
            return
        if status == 404 and self.endpoint:
            raise ConfigError(ENDPOINT, f"{self.endpoint} has no Cloud Translation v2 API ({status}: {problem})",
                              "set GOOGLE_TRANSLATE_ENDPOINT to the server's address without a path (e.g. "
                              "http://127.0.0.1:8090), or unset it for Google's own", outcome="nothing was translated")
        if status in (401, 403) or reasons & KEY_REFUSED:
            raise ConfigError(KEY, f"Google Cloud Translation refused the key ({status}: {problem})",
                              "check GOOGLE_TRANSLATE_API_KEY: copy the key again from the Google Cloud console, "
                              "and check that the project has the Cloud Translation API enabled and that the "
                              "key's restrictions allow it", outcome="nothing more was translated")
        raise ProviderError(f"Google Cloud Translation refused the request ({status}: {problem})",
                            "this is likely a bug; please report it", status=status,
                            outcome="the rest was not translated")


def _batches(texts: list[str]):
    batch, size = [], 0
    for text in texts:
        if batch and (len(batch) == BATCH or size + len(text) > BATCH_CHARACTERS):
            yield batch
            batch, size = [], 0
        batch.append(text)
        size += len(text)
    if batch:
        yield batch


def _json(response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _error(response) -> tuple[str, set[str]]:
    """Google's error message and every reason it gives (errors[].reason, details[].reason)."""
    error = _json(response).get("error") or {}
    if not isinstance(error, dict):
        return str(error) or response.reason, set()
    reasons = {str(item.get("reason")) for key in ("errors", "details") for item in error.get(key) or []
               if isinstance(item, dict) and item.get("reason")}
    if error.get("status"):
        reasons.add(str(error["status"]))
    return str(error.get("message") or response.reason or ""), reasons
