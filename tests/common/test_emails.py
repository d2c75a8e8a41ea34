"""One email validator (email-validator, through common/email_check.py) for publication.yaml, contact
blocks and the mailer's rosters and store: an address one accepts, the others accept."""
import pytest

from blocks.kinds import Email
from common.problems import FieldError
from mailer.values.emails import BadEmail, normalize_email

GOOD = ["equity@example.org", "Maria.Garcia@Example.org", "o'brien+news@school.k12.ct.us", "josé@example.org",
        "x@bücher.de"]
BAD = ["equity@example", "ana@@example.org", "jose garcia@example.org", "Jane <jane@example.org>", "a..b@example.org",
       ".a@example.org", "a@-example.org", "a@example..org", "n/a"]


@pytest.mark.parametrize("address", GOOD)
def test_both_sides_accept(address):
    assert Email().clean(address) == address
    assert normalize_email(address)


@pytest.mark.parametrize("address", BAD)
def test_both_sides_refuse_with_the_reason(address):
    with pytest.raises(FieldError) as caught:
        Email().clean(address)
    assert f"'{address}' is not a valid email address: " in caught.value.message
    assert caught.value.hint == "write it as name@example.org"
    with pytest.raises(BadEmail, match="is not a valid email address"):
        normalize_email(address)


def test_a_publication_sender_is_checked_by_email_validator(tmp_path, monkeypatch):
    from blocks.loader import load_publication
    from common.errors import NewsletterError
    from tests.conftest import ROOT
    monkeypatch.chdir(tmp_path)
    text = (ROOT / "newsletters" / "equity" / "publication.yaml").read_text(encoding="utf-8")
    assert "  email: equity@example.org" in text
    (tmp_path / "equity").mkdir()
    path = tmp_path / "equity" / "publication.yaml"
    path.write_text(text.replace("  email: equity@example.org", "  email: equity@example"), encoding="utf-8")
    with pytest.raises(NewsletterError) as caught:
        load_publication(path)
    [problem] = caught.value.problems
    assert problem.key == "sender.email" and problem.line == 7
    assert "'equity@example' is not a valid email address" in problem.message
