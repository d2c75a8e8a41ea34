"""One normal form per email address, so the same family is never stored twice."""
from __future__ import annotations

import re
from functools import lru_cache

from common.email_check import BadEmail, check_email

# A plain ASCII address: a dot-atom local part (RFC 5322: no leading, trailing or doubled dots)
# and something after the @. email_validator accepts every such local part; only the domain
# needs its checks, and a roster repeats a few domains thousands of times. This only lets an
# address skip a repeated check, never refuses one: every verdict is email_validator's (through
# common.email_check, the one validator), and tests/mailer/test_values.py checks that they agree.
_PLAIN = re.compile(r"([A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)@([^@\s]+)")
_LOCAL_MAX, _ADDRESS_MAX = 64, 254

__all__ = ["BadEmail", "normalize_email", "needs_smtputf8"]


@lru_cache(maxsize=65536)  # rosters repeat a family's address on each child's row
def normalize_email(value: str) -> str:
    """Return the stored form of an address, or raise BadEmail.

    Surrounding spaces are removed, the whole address is lowercased (we treat addresses
    case-insensitively: Maria.Garcia@X.org and maria.garcia@x.org are one family), and an
    internationalized domain is stored in its ASCII (punycode) form: x@Bücher.de ->
    x@xn--bcher-kva.de. Syntax only: no DNS lookups. A plain ASCII address is checked with
    its domain's cached verdict (email_validator runs once per distinct domain); anything
    else, and every failure, goes through email_validator itself, so the answer is the same.
    """
    text = (value or "").strip()
    if not text:
        raise BadEmail("no email address")
    plain = _PLAIN.fullmatch(text) if text.isascii() and len(text) <= _ADDRESS_MAX else None
    if plain and len(plain[1]) <= _LOCAL_MAX:
        domain = _ascii_domain(plain[2].lower())
        if domain:
            return f"{plain[1].lower()}@{domain}"
    checked = check_email(text)
    return f"{checked.local_part.lower()}@{checked.ascii_domain.lower()}"


@lru_cache(maxsize=4096)
def _ascii_domain(domain: str) -> str | None:
    """The checked ASCII form of a domain, or None if email_validator refuses it."""
    try:
        return check_email(f"x@{domain}").ascii_domain.lower()
    except BadEmail:
        return None


def needs_smtputf8(address: str) -> bool:
    """True for a stored address with non-ASCII letters before the @ (josé@example.org):
    it can only be delivered by a mail server that offers SMTPUTF8 (RFC 6531)."""
    return not address.partition("@")[0].isascii()
