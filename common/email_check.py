"""Whether a text is an email address: the `email-validator` package's answer, the one every
part of the project asks (publication.yaml's sender and reply_to, contact blocks, rosters,
suppression lists, webhooks, the subscriber store). Syntax only: no DNS lookups."""
from __future__ import annotations

from email_validator import EmailNotValidError, ValidatedEmail, validate_email


class BadEmail(ValueError):
    """An address that is not a valid email address; the message says why in plain words."""


def check_email(text: str) -> ValidatedEmail:
    """`text` (already stripped) checked by email-validator, or BadEmail saying why."""
    try:
        return validate_email(text, check_deliverability=False)
    except EmailNotValidError as e:
        raise BadEmail(f"'{text}' is not a valid email address: {e}") from None
