"""One normal form per email address, so the same family is never stored twice."""
from __future__ import annotations

from functools import lru_cache

from email_validator import EmailNotValidError, validate_email


class BadEmail(ValueError):
    """An address that is not a valid email address; the message says why in plain words."""


@lru_cache(maxsize=65536)  # rosters repeat a family's address on each child's row
def normalize_email(value: str) -> str:
    """Return the stored form of an address, or raise BadEmail.

    Surrounding spaces are removed, the whole address is lowercased (we treat addresses
    case-insensitively: Maria.Garcia@X.org and maria.garcia@x.org are one family), and an
    internationalized domain is stored in its ASCII (punycode) form: x@Bücher.de ->
    x@xn--bcher-kva.de. Syntax only: no DNS lookups.
    """
    text = (value or "").strip()
    if not text:
        raise BadEmail("no email address")
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as e:
        raise BadEmail(f"'{text}' is not a valid email address: {e}") from None
    return f"{checked.local_part.lower()}@{checked.ascii_domain.lower()}"
