"""Signing in with a local account, setting a password from a one-time link, signing out.

Wrong password, unknown address and "too many attempts" read the same for every address, so the
page never tells whether an account exists.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, redirect, render_template, request, session, url_for

from studio import accounts, audit, limits
from studio.security import safe_next, sign_in as start_session

WRONG = "That email address and password do not match a staff account."
LOCKED = "Too many sign-in attempts for this account or from this address. Try again in {minutes} minutes."

blueprint = Blueprint("signin", __name__)


def _ctx():
    return current_app.config["studio"]


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    studio = _ctx()
    if request.method == "GET":
        ended = session.pop("ended", False)
        return render_template("sign_in.html", error=None, ended=ended, email="",
                               next=request.args.get("next", ""), oidc=studio.settings.oidc)
    typed = request.form.get("email", "").strip()[:320]
    password = request.form.get("password", "")
    try:
        email = accounts.email_of(typed)
    except Exception:                       # noqa: BLE001 - not an address: counted like an unknown one
        email = typed.lower()
    address = request.remote_addr or "?"
    now = studio.clock()
    if limits.locked(studio.store, studio.settings, email, address, now):
        limits.attempt(studio.store, email, address, False, now)
        audit.record(studio.store, now, email, "sign-in-refused", detail=f"locked; from {address}")
        return _again(LOCKED.format(minutes=studio.settings.attempt_minutes), typed, 429)
    staff = accounts.verify(studio.store, email, password)
    limits.attempt(studio.store, email, address, staff is not None, now)
    if staff is None:
        audit.record(studio.store, now, email, "sign-in-refused", detail=f"wrong password or no account; from {address}")
        return _again(WRONG, typed, 401)
    start_session(staff, studio.clock)
    audit.record(studio.store, now, staff.email, "sign-in", detail=f"password; from {address}")
    return redirect(safe_next(request.form.get("next")))


def _again(error: str, typed: str, status: int):
    return render_template("sign_in.html", error=error, ended=False, email=typed, next=request.form.get("next", ""),
                           oidc=_ctx().settings.oidc), status


@blueprint.post("/sign-out")
def sign_out():
    studio = _ctx()
    audit.record(studio.store, studio.clock(), g.staff.email, "sign-out")
    session.clear()
    return redirect(url_for("signin.sign_in"))


@blueprint.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    studio = _ctx()
    staff = accounts.link_account(studio.store, token, studio.clock())
    if staff is None:
        return render_template("set_password.html", staff=None, error=None), 404
    if request.method == "GET":
        return render_template("set_password.html", staff=staff, error=None)
    password = request.form.get("password", "")
    error = accounts.check_password(staff.email, password)
    if error is None and password != request.form.get("confirm", ""):
        error = "The two passwords are not the same."
    if error:
        return render_template("set_password.html", staff=staff, error=error), 400
    now = studio.clock()
    accounts.set_password(studio.store, staff.id, password, now)
    audit.record(studio.store, now, staff.email, "password-set")
    start_session(accounts.by_id(studio.store, staff.id), studio.clock)
    return redirect(url_for("home.home"))
