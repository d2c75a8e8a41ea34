"""Staff accounts in the store: who they are, their roles per publication, their passwords.

Passwords are argon2id hashes (argon2-cffi's defaults); a new account or a reset gets a one-time
sign-in link (24 hours; only its SHA-256 is stored) where the person sets a password, checked for
length and against common passwords (zxcvbn). Removing an account or resetting it ends its sessions
(`session_epoch`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from common.errors import StoreError
from mailer.store.tables import STAFF_ROLES, staff_accounts, staff_languages, staff_roles
from mailer.values.emails import BadEmail, normalize_email

LINK_HOURS = 24
MIN_PASSWORD = 12
EVERY = "*"                       # an admin's publication: all of them
_HASHER = PasswordHasher()        # argon2id
_DUMMY = _HASHER.hash("a password nobody has, hashed so unknown accounts take as long")


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    name: str
    epoch: int
    roles: dict[str, frozenset[str]]       # publication (or "*") -> roles
    has_password: bool = False
    languages: dict[str, frozenset[str]] = field(default_factory=dict)   # publication -> languages translated

    def may_translate(self, publication: str, lang: str) -> bool:
        """May change the `lang` translations of `publication`: an admin, or its translator in that language."""
        return self.admin or (self.may(publication, "translator") and lang in self.languages.get(publication, ()))

    def reviews(self, publication: str) -> bool:
        """May open the publication's translation pages (an editor reads them; a translator changes hers)."""
        return self.may(publication, "editor") or self.may(publication, "translator")

    @property
    def admin(self) -> bool:
        return "admin" in self.roles.get(EVERY, ())

    def may(self, publication: str, role: str = "editor") -> bool:
        return self.admin or role in self.roles.get(publication, ())

    def publications(self, known: list[str]) -> list[str]:
        return list(known) if self.admin else [p for p in known if self.roles.get(p)]


def email_of(text: str) -> str:
    try:
        return normalize_email(text)
    except BadEmail as e:
        raise StoreError(f"'{text}' is not an email address: {e}", "give the person's work address") from None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def add(store, email: str, name: str, grants: list[tuple[str, str]], now: dt.datetime,
        languages: list[tuple[str, str]] = ()) -> str:
    """A new account with its roles (and, for a translator, its (publication, language) pairs);
    returns the one-time sign-in link's token."""
    email = email_of(email)
    for role, _publication in grants:
        if role not in STAFF_ROLES:
            raise StoreError(f"'{role}' is not a role", f"roles: {', '.join(STAFF_ROLES)}")
    token = secrets.token_urlsafe(32)
    with store.write() as connection:
        if connection.execute(select(staff_accounts.c.id).where(staff_accounts.c.email == email)).first():
            raise StoreError(f"{email} already has an account",
                             f"see it with: python compose.py staff list; a new link: python compose.py staff reset {email}")
        new_id = connection.execute(insert(staff_accounts).values(
            email=email, name=name, link_hash=token_hash(token), link_expires=now + dt.timedelta(hours=LINK_HOURS),
            created_at=now, updated_at=now)).inserted_primary_key[0]
        rows = {(EVERY if role == "admin" else publication, role) for role, publication in grants}
        if rows:
            connection.execute(insert(staff_roles), [{"account_id": new_id, "publication": p, "role": r}
                                                     for p, r in sorted(rows)])
        if languages:
            connection.execute(insert(staff_languages), [{"account_id": new_id, "publication": p, "language": lang}
                                                         for p, lang in sorted(set(languages))])
    return token


def reset(store, email: str, now: dt.datetime) -> str:
    """A new one-time link; the old password and every session stop working."""
    email = email_of(email)
    token = secrets.token_urlsafe(32)
    with store.write() as connection:
        done = connection.execute(update(staff_accounts).where(staff_accounts.c.email == email).values(
            password_hash=None, link_hash=token_hash(token), link_expires=now + dt.timedelta(hours=LINK_HOURS),
            session_epoch=staff_accounts.c.session_epoch + 1, updated_at=now)).rowcount
    if not done:
        raise StoreError(f"no staff account for {email}", "see the accounts with: python compose.py staff list")
    return token


def remove(store, email: str) -> None:
    email = email_of(email)
    with store.write() as connection:
        if not connection.execute(delete(staff_accounts).where(staff_accounts.c.email == email)).rowcount:
            raise StoreError(f"no staff account for {email}", "see the accounts with: python compose.py staff list")


def everyone(store) -> list[Staff]:
    with store.read() as connection:
        rows = connection.execute(select(staff_accounts).order_by(staff_accounts.c.email)).all()
        return [_staff(connection, row) for row in rows]


def by_id(store, account_id: int) -> Staff | None:
    with store.read() as connection:
        row = connection.execute(select(staff_accounts).where(staff_accounts.c.id == account_id)).first()
        return _staff(connection, row) if row else None


def by_email(store, email: str) -> Staff | None:
    with store.read() as connection:
        row = connection.execute(select(staff_accounts).where(staff_accounts.c.email == email)).first()
        return _staff(connection, row) if row else None


def _staff(connection, row) -> Staff:
    roles: dict[str, set[str]] = {}
    for grant in connection.execute(select(staff_roles).where(staff_roles.c.account_id == row.id)):
        roles.setdefault(grant.publication, set()).add(grant.role)
    languages: dict[str, set[str]] = {}
    for grant in connection.execute(select(staff_languages).where(staff_languages.c.account_id == row.id)):
        languages.setdefault(grant.publication, set()).add(grant.language)
    return Staff(row.id, row.email, row.name, row.session_epoch, {p: frozenset(r) for p, r in roles.items()},
                 row.password_hash is not None, {p: frozenset(l) for p, l in languages.items()})


def check_password(email: str, password: str) -> str | None:
    """Why this password will not do, or None."""
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters (a few unrelated words are easy to remember)."
    if len(password) > 256:
        return "Use at most 256 characters."
    from zxcvbn import zxcvbn
    found = zxcvbn(password[:100], user_inputs=[email, *email.split("@")])
    if found["score"] < 3:
        warning = found["feedback"].get("warning") or "This password is too easy to guess."
        return f"{warning} {' '.join(found['feedback'].get('suggestions') or [])}".strip()
    return None


def link_account(store, token: str, now: dt.datetime) -> Staff | None:
    """The account whose one-time link this is, if it is still valid."""
    with store.read() as connection:
        row = connection.execute(select(staff_accounts).where(staff_accounts.c.link_hash == token_hash(token))).first()
        if row is None or row.link_expires is None or row.link_expires < now:
            return None
        return _staff(connection, row)


def set_password(store, account_id: int, password: str, now: dt.datetime) -> None:
    """Store the password's hash and use up the link (sessions elsewhere end)."""
    with store.write() as connection:
        connection.execute(update(staff_accounts).where(staff_accounts.c.id == account_id).values(
            password_hash=_HASHER.hash(password), link_hash=None, link_expires=None,
            session_epoch=staff_accounts.c.session_epoch + 1, updated_at=now))


def verify(store, email: str, password: str) -> Staff | None:
    """The account if the password is its own; as slow for an unknown address as for a known one."""
    with store.read() as connection:
        row = connection.execute(select(staff_accounts).where(staff_accounts.c.email == email)).first()
    try:
        _HASHER.verify(row.password_hash if row is not None and row.password_hash else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.password_hash:
        return None
    return by_id(store, row.id)
