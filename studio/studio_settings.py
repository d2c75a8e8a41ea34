"""The studio's settings: one frozen value, made from a mapping of NEWSLETTER_STUDIO_* names.

    StudioSettings.from_settings(settings)                   # production: a real secret or ConfigError
    StudioSettings.from_settings(settings, allow_demo=True)  # `compose.py studio` on 127.0.0.1 only

The values come from common.settings.Settings (NEWSLETTER_STUDIO_*), read once by the face.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from common.errors import ConfigError
from common.settings import Settings

SECRET = "NEWSLETTER_STUDIO_SECRET"
MIN_SECRET = 32
# Public: anyone can forge this secret's sessions. Only for `compose.py studio` on 127.0.0.1.
DEMO_SECRET = "studio-demo-secret-for-127.0.0.1-only-never-on-a-server"
_OUTCOME = "the studio did not start"


@dataclass(frozen=True)
class StudioSettings:
    secret_key: str
    demo: bool = False                     # the public demo secret: a banner on every page
    idle_minutes: int = 30                 # a session unused this long is over
    public_url: str = "http://127.0.0.1:8100"   # for one-time links; https:// makes cookies Secure
    oidc_issuer: str = ""                  # e.g. https://accounts.google.com; empty: local accounts only
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_allowed_domains: tuple[str, ...] = field(default=())   # e.g. ("whps.org",); empty: any domain
    proxies: int = 0                       # trusted X-Forwarded-* hops in front of the app
    library: Path | None = None            # NEWSLETTER_LIBRARY: the standing blocks (default: beside the issues)
    account_attempts: int = 10             # failed sign-ins per account (or unknown address) ...
    address_attempts: int = 30             # ... and per client address ...
    attempt_minutes: int = 15              # ... within this many minutes
    machine: Settings | None = None        # what machine-translation providers read (keys, servers): review pages

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def oidc(self) -> bool:
        return bool(self.oidc_issuer)

    @classmethod
    def from_mapping(cls, env: Mapping[str, str], *, allow_demo: bool = False) -> "StudioSettings":
        """From variables by name (tests): common.settings reads and types them, then from_settings."""
        return cls.from_settings(Settings.from_env(env), allow_demo=allow_demo)

    @classmethod
    def from_settings(cls, settings: Settings, *, allow_demo: bool = False) -> "StudioSettings":
        secret = settings.studio_secret.strip()
        demo = False
        if not secret and allow_demo:
            secret, demo = DEMO_SECRET, True
        elif len(secret) < MIN_SECRET:
            raise ConfigError(SECRET, "missing" if not secret else f"too short ({len(secret)} characters)",
                              f"set {SECRET} to at least {MIN_SECRET} random characters, e.g. the output of "
                              "python -c 'import secrets; print(secrets.token_urlsafe(32))' (its own, not "
                              "NEWSLETTER_SECRET)", outcome=_OUTCOME)
        issuer, client_id = settings.studio_oidc_issuer, settings.studio_oidc_client_id.strip()
        client_secret = settings.studio_oidc_client_secret.strip()
        if issuer and not (client_id and client_secret):
            raise ConfigError("NEWSLETTER_STUDIO_OIDC_CLIENT_ID", "an OpenID Connect issuer without its client id "
                              "and secret", "set NEWSLETTER_STUDIO_OIDC_CLIENT_ID and _CLIENT_SECRET from the "
                              "identity provider's app registration, or unset NEWSLETTER_STUDIO_OIDC_ISSUER",
                              outcome=_OUTCOME)
        return cls(secret_key=secret, demo=demo,
                   idle_minutes=30 if settings.studio_idle_minutes is None else settings.studio_idle_minutes,
                   public_url=settings.studio_url or cls.public_url,
                   oidc_issuer=issuer, oidc_client_id=client_id, oidc_client_secret=client_secret,
                   oidc_allowed_domains=settings.studio_oidc_allowed_domains,
                   proxies=settings.studio_proxies or 0, library=settings.library, machine=settings)
