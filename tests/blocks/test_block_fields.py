"""Fields staff asked for: phone extensions, a heading per feature_list group."""
from pathlib import Path

import polib
import pytest

from blocks.i18n.exchange import export
from blocks.kinds import Phone
from blocks.loader import load_issue
from blocks.render import render_issue
from common.problems import FieldError
from tests.blocks.test_loader import only, problems_for

EVERY_BLOCK = Path(__file__).parents[1] / "fixtures" / "newsletters" / "every-block"


@pytest.mark.parametrize("written", ["(860) 561-6600 ext. 2345", "(860) 561-6600 x2345", "(860) 561-6600 ext 2345",
                                     "(860) 561-6600 X 2345", "(860) 561-6600, extension 2345"])
def test_phone_extensions_read_one_way_and_dial_with_rfc3966(written):
    number = Phone().clean(written)
    assert number.display == "(860) 561-6600 ext. 2345"
    assert number.tel == "+18605616600;ext=2345"


def test_phones_without_extension_and_short_codes_are_unchanged():
    assert Phone().clean("(860) 263-0724").tel == "+18602630724"
    assert Phone().clean("988").tel == "988"
    assert Phone().clean("+44 20 7946 0958 x12").tel == "+442079460958;ext=12"


@pytest.mark.parametrize("written", ["988 x12", "(860) 561-6600 ext.", "call 860 561 6600 x1"])
def test_bad_extensions_are_refused(written):
    with pytest.raises(FieldError):
        Phone().clean(written)


def test_a_bad_phone_is_reported_with_its_line(make_issue):
    p = only(problems_for(make_issue, "  - type: contact\n    id: c\n    phone: 860 561 ext 12\n"))
    assert p.key == "blocks[0].phone" and p.line == 9


@pytest.fixture(scope="module")
def every():
    issue = load_issue(EVERY_BLOCK)
    return issue, render_issue(issue, "en")


def test_extension_in_html_and_text(every):
    _, email = every
    assert 'href="tel:+18605550101;ext=2345"' in email.html
    assert "(860) 555-0101 ext. 2345" in email.html and "(860) 555-0101 ext. 2345" in email.text


def test_feature_group_heading_in_html_and_text(every):
    _, email = every
    assert "<h3" in email.html and "Regular features</h3>" in email.html
    text = email.text
    assert "Regular features\n\nAs well as:" in text


def test_feature_group_heading_is_exported_for_translators(every):
    issue, _ = every
    po = export(issue, "es")
    assert isinstance(po, polib.POFile)
    [entry] = [e for e in po if e.msgctxt == "features.groups[1].heading"]
    assert entry.msgid == "Regular features" and not entry.msgstr
