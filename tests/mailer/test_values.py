"""Language names, email addresses and grades as rosters write them."""
import pytest
from babel import Locale

from mailer.values.emails import BadEmail, normalize_email
from mailer.values.grades import expand_grades, grade_code
from mailer.values.languages import LANGUAGES, UnknownLanguage, language_code, language_name


@pytest.mark.parametrize("value, code", [
    ("Spanish", "es"), ("Español", "es"), ("espanol", "es"), ("spa", "es"), ("es", "es"), ("SPANISH ", "es"),
    ("Portuguese", "pt"), ("Português", "pt"), ("Brazilian Portuguese", "pt"), ("pt-BR", "pt"),
    ("Arabic", "ar"), ("العربية", "ar"), ("Chinese", "zh"), ("Mandarin", "zh"), ("Cantonese", "zh"),
    ("中文", "zh"), ("Simplified Chinese", "zh_Hans"), ("zh_Hans", "zh_Hans"), ("Bosnian", "bs"),
    ("bosanski", "bs"), ("Polish", "pl"), ("Polski", "pl"), ("Urdu", "ur"), ("اردو", "ur"),
    ("Vietnamese", "vi"), ("Tiếng Việt", "vi"), ("Haitian Creole", "ht"), ("Haitian-Creole", "ht"),
    ("Kreyòl", "ht"), ("Russian", "ru"), ("Korean", "ko"), ("Tagalog", "tl"), ("Filipino", "tl"),
    ("Somali", "so"), ("French", "fr"), ("Français", "fr"), ("Ukrainian", "uk"), ("Hindi", "hi"),
    ("Bengali", "bn"), ("Nepali", "ne"), ("Swahili", "sw"), ("Farsi", "fa"), ("Persian", "fa"), ("Dari", "fa_AF"),
    ("Pashto", "ps"), ("Japanese", "ja"), ("Albanian", "sq"), ("Turkish", "tr"), ("Burmese", "my"),
    ("Tigrinya", "ti"), ("Amharic", "am"), ("Cape Verdean Creole", "kea"), ("Hmong", "hmn"), ("English", "en"),
    ("eng", "en"), ("en-US", "en"), ("fr_CA", "fr"),
])
def test_language_names_map_to_codes(value, code):
    assert language_code(value) == code


def test_every_babel_name_of_a_listed_language_is_known():
    for code in LANGUAGES:
        try:
            locale = Locale.parse(code)
        except Exception:
            continue
        for name in (locale.get_display_name(), locale.get_display_name("en")):
            assert language_code(name) == code, (code, name)


@pytest.mark.parametrize("value, suggestion", [("Spansh", "Spanish (es)"), ("Portugese", "Portuguese (pt)"),
                                               ("Arabik", "Arabic (ar)"), ("Tagalg", "Tagalog (tl)")])
def test_unknown_language_suggests_closest_names(value, suggestion):
    with pytest.raises(UnknownLanguage) as caught:
        language_code(value)
    assert caught.value.suggestions[0] == suggestion
    assert f"unknown language '{value}'" in str(caught.value)


@pytest.mark.parametrize("value", ["Klingon", "Other", "", "Unknown"])
def test_values_that_are_no_language_are_refused(value):
    with pytest.raises(UnknownLanguage):
        language_code(value)


def test_language_names_for_reports():
    assert language_name("es") == "Spanish"
    assert language_name("zh_Hans") == "Simplified Chinese"
    assert language_name("hmn") == "Hmong"


@pytest.mark.parametrize("raw, stored", [
    ("  Maria.Garcia@Example.ORG ", "maria.garcia@example.org"),
    ("JOSE+school@example.org", "jose+school@example.org"),
    ("x@Bücher.example", "x@xn--bcher-kva.example"),
    ("Jöe@bücher.example", "jöe@xn--bcher-kva.example"),
])
def test_emails_are_normalized(raw, stored):
    assert normalize_email(raw) == stored


@pytest.mark.parametrize("raw, message", [
    ("", "no email address"), ("   ", "no email address"), ("n/a", "not a valid email address"),
    ("ana@@example.org", "not a valid email address"), ("jose garcia@example.org", "not a valid email address"),
    ("Jane <jane@example.org>", "not a valid email address"), ("maria@example", "not a valid email address"),
])
def test_bad_emails_say_why(raw, message):
    with pytest.raises(BadEmail, match=message):
        normalize_email(raw)


@pytest.mark.parametrize("raw, grade", [("K", "K"), ("KG", "K"), ("Kindergarten", "K"), ("Pre-K", "PK"),
                                        ("PK", "PK"), ("03", "3"), ("3rd", "3"), ("Grade 3", "3"), ("12", "12"),
                                        ("6th grade", "6")])
def test_grades(raw, grade):
    assert grade_code(raw) == grade


def test_grade_ranges_and_bad_grades():
    assert expand_grades("K-2") == ["K", "1", "2"]
    assert expand_grades("6-8") == ["6", "7", "8"]
    for bad in ("13", "x", "5-3"):
        with pytest.raises(ValueError):
            expand_grades(bad)


def test_fast_path_agrees_with_email_validator():
    """Plain addresses skip email_validator (only their domain is checked, once): same answers."""
    import random
    from email_validator import EmailNotValidError, validate_email

    def reference(text):
        try:
            checked = validate_email(text.strip(), check_deliverability=False)
        except EmailNotValidError:
            return None
        return f"{checked.local_part.lower()}@{checked.ascii_domain.lower()}"

    rng = random.Random(13)
    domains = ["example.org", "EXAMPLE.com", "ex-ample.net", "b.c", "bücher.example", "localhost", "a..b.org",
               "-x.org", "x_y.org", "example.test", "1.2.3.4", "x." + "a" * 63 + ".org", "a" * 250 + ".org"]
    alphabet = "abcXYZ019.-_+!#'`{}~ \"(),;:<>@é"
    samples = [" Maria.Garcia@Example.ORG ", "a..b@example.org", ".a@example.org", "a.@example.org",
               "x" * 64 + "@example.org", "x" * 65 + "@example.org", "a@[1.2.3.4]", "a@example.org."]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))) + "@" + rng.choice(domains)
                for _ in range(3000)]
    for text in samples:
        try:
            ours = normalize_email(text)
        except BadEmail:
            ours = None
        assert ours == reference(text), text


def test_addresses_that_need_smtputf8():
    from mailer.values.emails import needs_smtputf8
    assert needs_smtputf8(normalize_email("José@Example.org")) and not needs_smtputf8("jose@xn--bcher-kva.example")


@pytest.mark.parametrize("raw, topic", [("Events", "events"), ("Food share", "foodshare"),
                                        ("Mental Health", "mental-health"), ("NUTRITION", "nutrition"),
                                        ("announcement", "announcements"), ("resources", "resources")])
def test_topics_as_rosters_write_them(raw, topic):
    from mailer.values.topics import topic_code
    assert topic_code(raw) == topic


def test_unknown_topic_and_lists_of_topics():
    from mailer.values.topics import split_topics, topic_code
    with pytest.raises(ValueError, match="unknown topic 'Sports'"):
        topic_code("Sports")
    assert split_topics(" Events; Food share ,Mental Health|") == ["Events", "Food share", "Mental Health"]
