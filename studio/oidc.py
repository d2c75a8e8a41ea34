"""Signing in through the district's identity provider with OpenID Connect (Authlib): discovery,
the authorization code flow with PKCE (S256), and the id_token's signature, issuer, audience,
expiry and nonce checked by Authlib; then the address must be verified, in an allowed domain, and
belong to a staff account (roles are given with `compose.py staff add`, never by the provider).
Works with Google Workspace (https://accounts.google.com) and Microsoft Entra ID
(https://login.microsoftonline.com/<tenant>/v2.0).
"""
from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from authlib.integrations.base_client.errors import OAuthError
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from studio import accounts, audit, limits
from studio.security import safe_next, sign_in as start_session

blueprint = Blueprint("oidc", __name__)


def client():
    studio = current_app.config["studio"]
    if not studio.settings.oidc:
        abort(404)
    oauth = current_app.extensions.get("studio_oauth")
    if oauth is None:
        oauth = OAuth(current_app)
        settings = studio.settings
        oauth.register("district", client_id=settings.oidc_client_id, client_secret=settings.oidc_client_secret,
                       server_metadata_url=f"{settings.oidc_issuer}/.well-known/openid-configuration",
                       client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"})
        current_app.extensions["studio_oauth"] = oauth
    return oauth.district


@blueprint.get("/sign-in/district")
def start():
    district = client()
    session["oidc_next"] = safe_next(request.args.get("next"))
    return district.authorize_redirect(url_for("oidc.callback", _external=True))


@blueprint.get("/sign-in/district/done")
def callback():
    district = client()
    studio = current_app.config["studio"]
    address = request.remote_addr or "?"
    try:
        token = district.authorize_access_token()        # checks state, PKCE, signature, iss, aud, exp, nonce
    except OAuthError as e:
        return _refused(studio, "?", address, f"the identity provider's answer was refused ({e.error})")
    claims = token.get("userinfo") or {}
    email = str(claims.get("email") or "").lower()
    domain = email.rpartition("@")[2]
    if not email or claims.get("email_verified") is False:
        return _refused(studio, email or "?", address, "the identity provider gave no verified email address")
    if studio.settings.oidc_allowed_domains and domain not in studio.settings.oidc_allowed_domains:
        return _refused(studio, email, address, f"{domain} is not an allowed domain")
    staff = accounts.by_email(studio.store, accounts.email_of(email))
    if staff is None:
        return _refused(studio, email, address, "no staff account")
    now = studio.clock()
    limits.attempt(studio.store, staff.email, address, True, now)
    target = session.pop("oidc_next", None)
    start_session(staff, studio.clock)
    audit.record(studio.store, now, staff.email, "sign-in", detail=f"OpenID Connect ({studio.settings.oidc_issuer}); "
                                                                  f"from {address}")
    return redirect(safe_next(target))


def _refused(studio, email: str, address: str, why: str):
    audit.record(studio.store, studio.clock(), email, "sign-in-refused", detail=f"OpenID Connect: {why}; from {address}")
    return render_template("error.html", title="Not signed in", status=403,
                           message="Your district account could not sign you in to the studio: it may not have a "
                                   "staff account here yet. Ask an administrator."), 403
