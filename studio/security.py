"""Who may ask for what: every route needs a signed-in staff member unless listed in PUBLIC; a
route of a publication (its URL has <publication>) needs a role there; API routes (/api/...)
answer 401 instead of sending people to the sign-in page. Sessions end after the idle timeout
or when the account's session epoch moves (removed, reset, password set). Security headers too.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, g, redirect, request, session, url_for

from studio import accounts

# Endpoints anyone may reach: signing in, setting a password from a one-time link, assets, health.
SEEN_STEP = 60     # seconds: how often a signed-in session's last-seen time is written
PUBLIC = frozenset({"signin.sign_in", "signin.set_password", "oidc.start", "oidc.callback", "static", "health"})
# The role a publication's endpoint needs (default: editor), or a tuple of roles any of which will do.
# "reviewer": an editor or a translator of the publication; "language": a translator of the
# publication in the URL's <lang> (or an admin).
ROLE = {}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
# The preview is the email's own HTML (its <style> and inline styles), shown only in the studio's frames.
PREVIEW_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; "
               "frame-ancestors 'self'; form-action 'none'; base-uri 'none'")


def is_api(path: str) -> bool:
    return path.startswith("/api/")


def safe_next(target: str | None) -> str:
    """A place on this site to go back to after signing in, never another site."""
    if not target:
        return url_for("home.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("home.home")
    return target


def install(app, studio) -> None:
    store, settings, clock = studio.store, studio.settings, studio.clock
    idle = settings.idle_minutes * 60

    @app.before_request
    def guard():
        g.staff = None
        account_id, seen = session.get("staff"), session.get("seen", 0)
        now = clock().timestamp()
        if account_id is not None:
            staff = accounts.by_id(store, account_id)
            if staff is None or staff.epoch != session.get("epoch") or now - seen > idle:
                session.clear()
                session["ended"] = staff is not None and now - seen > idle
            else:
                g.staff = staff
                if now - seen >= SEEN_STEP:      # not on every request: a rewritten cookie on a
                    session["seen"] = now        # concurrent answer (a preview frame) would drop a flash
        endpoint = request.endpoint
        if endpoint is None or endpoint in PUBLIC:
            return None
        if g.staff is None:
            if is_api(request.path):
                return {"error": "sign in first"}, 401
            return redirect(url_for("signin.sign_in", next=request.full_path.rstrip("?")))
        publication = (request.view_args or {}).get("publication")
        if publication is not None and publication not in studio.publications:
            abort(404)
        needed = ROLE.get(endpoint, "editor")
        if publication is not None and not any(_allowed(g.staff, publication, role) for role in
                                               ((needed,) if isinstance(needed, str) else needed)):
            abort(403)
        return None

    @app.after_request
    def headers(response):
        preview = response.headers.pop("X-Studio-Preview", None)
        response.headers["Content-Security-Policy"] = PREVIEW_CSP if preview else CSP
        response.headers["X-Frame-Options"] = "SAMEORIGIN" if preview else "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers.setdefault("Cache-Control", "no-store")
        if settings.secure_cookies:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response


def _allowed(staff, publication: str, role: str) -> bool:
    if role == "reviewer":
        return staff.reviews(publication)
    if role == "language":
        return staff.may_translate(publication, str((request.view_args or {}).get("lang", "")))
    return staff.may(publication, role)


def sign_in(staff, clock) -> None:
    session.clear()
    session["staff"], session["epoch"], session["seen"] = staff.id, staff.epoch, clock().timestamp()
