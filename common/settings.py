"""The install's settings: one typed, frozen object, read once from the environment.

`Settings.from_env()` is the only place in the product that reads `os.environ`
(tests/common/test_settings.py enforces it). A command (compose.py's root group), the preference
center's app factory and the studio's read it once when they start and pass it down; nothing
below them looks at the environment. Every value is checked as it is read and all wrong ones
are reported together, in one `ConfigError`, before any work starts: a malformed URL, a
weak secret, a port out of range, an unknown choice. Whether a setting is *needed* depends on
the work (SMTP_HOST only for the smtp backend): the code that needs one calls `require()`.

Each field names its environment variable and says what it is for; the README's settings
table lists exactly these names (tests/common/test_settings.py compares them).
"""
from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path
from urllib.parse import urlsplit

from common.errors import ConfigError
from common.problems import Problem

DEMO_SECRET = "demo-secret-not-for-production"
DEMO_BASE_URL = "http://127.0.0.1:8000"
SECRET_MINIMUM = 32        # sends, the preference center and the studio
PREVIOUS_MINIMUM = 16      # what secrets made before the 32-character rule had (still accepted as previous)
MIN_DISTINCT = 8           # fewer different characters than this is not random ("aaaa...", "abab...")
# the fields holding secrets (Settings.secrets(): what error messages never show)
SECRET_FIELDS = ("secret", "smtp_password", "sendgrid_api_key", "deepl_auth_key", "google_api_key",
                 "studio_secret", "studio_oidc_client_secret")
# zxcvbn's estimate of the guesses a secret takes, at least (10^N): a random 32-character secret
# is past 10^30; "abcdefgh" x4 is 10^2, "Password1" x4 10^3, 32 spaces and a word 10^5
SECRET_GUESSES = 14
GENERATE_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
SECRET_HINT = ("export NEWSLETTER_SECRET=$(python -c 'import secrets; print(secrets.token_urlsafe(32))') "
               "and use the same one for sends and the preference center")


def secret_problem(secret: str, minimum: int = SECRET_MINIMUM) -> str | None:
    """Why `secret` cannot sign anything (for ConfigError's message), or None if it can: not set,
    the demo's, too short, too few different characters, or guessable (zxcvbn's estimate: long
    secrets such as "abcdefgh" four times, "Password1" four times, spaces and a word)."""
    if not secret:
        return "is not set"
    if secret == DEMO_SECRET:
        return "is the public demo secret: anyone could sign links with it and unsubscribe any family"
    if len(secret) < minimum:
        return f"is {len(secret)} characters long; it must be at least {minimum} random characters"
    if len(set(secret)) < MIN_DISTINCT:
        return f"is not random: it has only {len(set(secret))} different characters"
    if minimum < SECRET_MINIMUM:
        return None                    # an older secret that signed links: refusing it now breaks them
    from zxcvbn import zxcvbn
    found = zxcvbn(secret[:100])                    # (past 100 characters it only gets slower)
    if found["guesses_log10"] < SECRET_GUESSES:
        why = found.get("feedback", {}).get("warning") or "it follows a pattern"
        return (f"is guessable: a password checker (zxcvbn) finds it in about 10^{found['guesses_log10']:.0f} "
                f"guesses ({why.rstrip('.')}); make a random one with: {GENERATE_SECRET}")
    return None


# -- value readers: raw text -> value, or ValueError whose message says what is wrong ----------
def _text(raw: str) -> str:
    return raw.strip()


def _url(raw: str) -> str:
    raw = raw.strip()
    if not raw:
        return ""
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"'{raw}' is not an http:// or https:// address")
    return raw.rstrip("/")


def _whole(low: int, high: int | None = None) -> Callable[[str], int | None]:
    def read(raw: str) -> int | None:
        if not raw.strip():
            return None
        try:
            value = int(raw.strip())
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            limits = f"from {low} to {high}" if high is not None else f"{low} or more"
            raise ValueError(f"'{raw}' is not a whole number {limits}")
        return value
    return read


def _seconds(raw: str) -> float | None:
    if not raw.strip():
        return None
    try:
        value = float(raw.strip())
    except ValueError:
        value = float("nan")
    if value != value or value < 0 or value == float("inf"):
        raise ValueError(f"'{raw}' is not a number of seconds (0 or more)")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def read(raw: str) -> str:
        value = raw.strip().lower()
        if value and value not in allowed:
            raise ValueError(f"'{raw}' is not one of {', '.join(allowed)}")
        return value
    return read


def _secret(raw: str) -> str:
    if raw and raw != DEMO_SECRET:                # the demo secret is refused where it matters (links.py)
        problem = secret_problem(raw)
        if problem:
            raise ValueError(problem)
    return raw


def _previous_secrets(raw: str) -> tuple[str, ...]:
    previous = tuple(s for s in re.split(r"[\s,]+", raw) if s)
    for number, secret in enumerate(previous, 1):
        problem = secret_problem(secret, PREVIOUS_MINIMUM)
        if problem:
            raise ValueError(f"secret {number} {problem}; list only secrets that really signed links, "
                             "separated by commas")
    return previous


def _path(raw: str) -> Path | None:
    return Path(raw.strip()) if raw.strip() else None


def _epoch(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    if re.fullmatch(r"[0-9]+", raw):
        try:
            return dt.datetime.fromtimestamp(int(raw), dt.timezone.utc)
        except (OverflowError, OSError, ValueError):
            pass                              # beyond the dates Python can represent
    raise ValueError(f"'{raw}' is not a number of seconds since 1970-01-01 UTC")


def _domains(raw: str) -> tuple[str, ...]:
    return tuple(d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip())


def _moment(raw: str) -> dt.datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValueError(f"'{raw}' is not a date and time with a time zone, e.g. 2021-09-20T07:00-04:00")
    return moment


def setting(env: str, help: str, read: Callable[[str], object] = _text, *, hint: str = "", group: str = "",
            default=MISSING):
    """A field of Settings: its environment variable, what it is for, how its text is read."""
    return field(default=read("") if default is MISSING else default,
                 metadata={"env": env, "help": help, "read": read, "hint": hint, "group": group})


@dataclass(frozen=True)
class Settings:
    """Every setting of the install (environment variable in each field's metadata)."""

    # the store and the content
    db: str = setting("NEWSLETTER_DB", "the subscriber store (SQLAlchemy URL); default sqlite:///var/newsletter.db",
                      hint="e.g. sqlite:///var/newsletter.db or postgresql+psycopg://user@host/db", group="store")
    audiences: Path | None = setting("NEWSLETTER_AUDIENCES", "audiences.yaml to use (default: ./audiences.yaml)",
                                     _path, group="store")
    library: Path | None = setting("NEWSLETTER_LIBRARY", "the library of standing blocks (default: "
                                   "newsletters/library beside the issue's publication)", _path, group="store")
    legacy_publication: str = setting("NEWSLETTER_PUBLICATION", "which publication links sent before "
                                      "publications existed belong to (read by the store's upgrade)", group="store")
    build_time: dt.datetime | None = setting("SOURCE_DATE_EPOCH", "stamp calendar files with this time (seconds "
                                             "since 1970, UTC) for reproducible builds", _epoch,
                                             hint="e.g. the last commit's time: git log -1 --format=%ct",
                                             group="build")
    # links and the families' side
    secret: str = setting("NEWSLETTER_SECRET", "signs unsubscribe and preference links (32+ random characters)",
                          _secret, hint=f"{SECRET_HINT}; to try everything on this computer without one: python "
                          "compose.py demo, then python compose.py serve --demo", group="links")
    secret_previous: tuple[str, ...] = setting("NEWSLETTER_SECRET_PREVIOUS", "older secrets still accepted "
                                               "(key rotation; comma-separated)", _previous_secrets,
                                               hint=SECRET_HINT, group="links")
    base_url: str = setting("NEWSLETTER_BASE_URL", "the preference center's public address", _url,
                            hint="export NEWSLETTER_BASE_URL=https://newsletter.example.org", group="links")
    unsubscribe_mailto: str = setting("NEWSLETTER_UNSUBSCRIBE_MAILTO", "optional address for a mailto: "
                                      "List-Unsubscribe too", group="links")
    webhook_public_key: str = setting("SENDGRID_WEBHOOK_PUBLIC_KEY", "verifies SendGrid's signed event webhook "
                                      "(the preference center)", group="links")
    # the smtp backend
    smtp_host: str = setting("SMTP_HOST", "the mail server", hint="export SMTP_HOST=smtp.example.org (your mail "
                             "server)", group="smtp")
    smtp_port: int | None = setting("SMTP_PORT", "its port (587 with starttls, 465 with tls)", _whole(1, 65535),
                                    group="smtp")
    smtp_security: str = setting("SMTP_SECURITY", "starttls (default), tls or none",
                                 _choice("starttls", "tls", "none"), group="smtp")
    smtp_user: str = setting("SMTP_USER", "sign-in name", group="smtp")
    smtp_password: str = setting("SMTP_PASSWORD", "sign-in password", lambda raw: raw, group="smtp")
    smtp_ca_file: str = setting("SMTP_CA_FILE", "PEM of a private certificate authority (verification is "
                                "always on)", group="smtp")
    smtp_pool: int | None = setting("SMTP_POOL", "connections in parallel (4)", _whole(1), group="smtp")
    smtp_timeout: float | None = setting("SMTP_TIMEOUT", "seconds to wait for the server (30)", _seconds,
                                         group="smtp")
    smtp_retries: int | None = setting("SMTP_RETRIES", "tries after a dropped connection; tries more for a family "
                                       "refused for now (4xx), each later (5)", _whole(0),
                                       group="smtp")
    smtp_retry_delay: float | None = setting("SMTP_RETRY_DELAY", "first wait between tries, seconds (2)",
                                             _seconds, group="smtp")
    # the sendgrid backend
    sendgrid_api_key: str = setting("SENDGRID_API_KEY", "the API key (Mail Send permission)",
                                    hint="create one in SendGrid (Settings > API Keys, Mail Send permission), "
                                    "then: export SENDGRID_API_KEY=SG....", group="sendgrid")
    sendgrid_api_host: str = setting("SENDGRID_API_HOST", "the API's address (https://api.sendgrid.com)", _url,
                                     group="sendgrid")
    sendgrid_send_at: dt.datetime | None = setting("SENDGRID_SEND_AT", "have SendGrid deliver at this time "
                                                   "(ISO, with a time zone)", _moment, group="sendgrid")
    sendgrid_retries: int | None = setting("SENDGRID_RETRIES", "tries after a 5xx or a timeout (5)", _whole(0),
                                           group="sendgrid")
    sendgrid_retry_delay: float | None = setting("SENDGRID_RETRY_DELAY", "first wait between tries, seconds (2)",
                                                 _seconds, group="sendgrid")
    sendgrid_max_wait: float | None = setting("SENDGRID_MAX_WAIT", "seconds a rate limit may make the send wait "
                                              "(300); longer stops it: \"rerun after HH:MM\"", _seconds,
                                              group="sendgrid")
    send_refusals: int | None = setting("NEWSLETTER_SEND_REFUSALS", "a send whose first N recipients are all "
                                        "refused with the same reply stops as a setting problem (10; 0: never)",
                                        _whole(0), group="sending")
    send_refusal_window: int | None = setting("NEWSLETTER_SEND_REFUSAL_WINDOW", "a send stops as a setting problem "
                                              "when, of the last N recipients (50; 0: never), "
                                              "NEWSLETTER_SEND_REFUSAL_RATE percent were refused for good",
                                              _whole(0), group="sending")
    send_refusal_rate: int | None = setting("NEWSLETTER_SEND_REFUSAL_RATE", "the share of that window refused for "
                                            "good that stops the send, in percent (90)", _whole(1, 100),
                                            group="sending")
    # machine translation
    deepl_auth_key: str = setting("DEEPL_AUTH_KEY", "DeepL API key", group="machine")
    deepl_server_url: str = setting("DEEPL_SERVER_URL", "another DeepL server (tests: a local stub)", _url,
                                    group="machine")
    google_api_key: str = setting("GOOGLE_TRANSLATE_API_KEY", "Google Cloud Translation API key", group="machine")
    google_endpoint: str = setting("GOOGLE_TRANSLATE_ENDPOINT", "another Translation endpoint (tests: a local "
                                   "stub)", _url, group="machine")

    # the staff studio (studio/studio_settings.py checks them together: StudioSettings.from_settings)
    studio_secret: str = setting("NEWSLETTER_STUDIO_SECRET", "signs the studio's sessions (32+ random characters, "
                                 "not NEWSLETTER_SECRET)", group="studio")
    studio_url: str = setting("NEWSLETTER_STUDIO_URL", "the studio's address (https:// makes its cookies Secure)",
                              _url, group="studio")
    studio_idle_minutes: int | None = setting("NEWSLETTER_STUDIO_IDLE_MINUTES", "a session unused this long is "
                                              "over (30)", _whole(1), group="studio")
    studio_proxies: int | None = setting("NEWSLETTER_STUDIO_PROXIES", "trusted X-Forwarded-* hops in front of the "
                                         "studio (0)", _whole(0), group="studio")
    studio_backend: str = setting("NEWSLETTER_STUDIO_BACKEND", "what sends confirmed in the studio go through: "
                                  "outbox (default), smtp or sendgrid", _choice("outbox", "smtp", "sendgrid"),
                                  group="studio")
    studio_oidc_issuer: str = setting("NEWSLETTER_STUDIO_OIDC_ISSUER", "the district's OpenID Connect issuer, e.g. "
                                      "https://accounts.google.com (empty: local accounts only)", _url,
                                      group="studio")
    studio_oidc_client_id: str = setting("NEWSLETTER_STUDIO_OIDC_CLIENT_ID", "the studio's client id there",
                                         group="studio")
    studio_oidc_client_secret: str = setting("NEWSLETTER_STUDIO_OIDC_CLIENT_SECRET", "its client secret",
                                             group="studio")
    studio_oidc_allowed_domains: tuple[str, ...] = setting("NEWSLETTER_STUDIO_OIDC_ALLOWED_DOMAINS", "email "
                                                           "domains that may sign in (comma-separated; empty: any)",
                                                           _domains, group="studio")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> "Settings":
        """Read every setting from `environ` (default: the process environment); `overrides`
        (field name -> value) win. ConfigError listing every wrong value at once."""
        environ = os.environ if environ is None else environ
        values, problems = {}, []
        for f in fields(cls):
            if f.name in overrides:
                values[f.name] = overrides.pop(f.name)
                continue
            env = f.metadata["env"]
            raw = environ.get(env, "")
            try:
                values[f.name] = f.metadata["read"](raw)
            except ValueError as e:
                problems.append(Problem("", env, str(e), f.metadata["hint"] or f"correct or unset {env}"))
        if overrides:
            raise TypeError(f"unknown settings: {', '.join(sorted(overrides))}")
        if problems:
            error = ConfigError(problems[0].key, problems[0].message, problems[0].hint, outcome="nothing was started")
            error.problems = problems
            error.message = "\n".join(str(p) for p in problems)
            raise error
        return cls(**values)

    def require(self, name: str, hint: str = "") -> object:
        """The value of field `name`, or ConfigError naming its variable when it is not set."""
        value = getattr(self, name)
        if value in ("", None, ()):
            f = next(f for f in fields(self) if f.name == name)
            env = f.metadata["env"]
            raise ConfigError(env, "is not set", hint or f.metadata["hint"] or f"export {env}=...")
        return value

    def secrets(self) -> tuple[str, ...]:
        """Every configured secret (keys, passwords, signing secrets, the store URL's password):
        what common/redaction.py hides from any message a provider's answer goes into."""
        values = [getattr(self, name) for name in SECRET_FIELDS] + list(self.secret_previous)
        password = re.match(r"^[^:/]+://[^:/@]*:([^@/]+)@", self.db or "")
        if password:
            values.append(password.group(1))
        return tuple(value for value in values if value)

    @staticmethod
    def env_name(name: str) -> str:
        """The environment variable of field `name`."""
        return next(f.metadata["env"] for f in fields(Settings) if f.name == name)


def table() -> list[tuple[str, str, str]]:
    """(group, variable, what it is for) per setting: what the README's tables list."""
    return [(f.metadata["group"], f.metadata["env"], f.metadata["help"]) for f in fields(Settings)]
