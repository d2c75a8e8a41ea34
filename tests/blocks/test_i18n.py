"""Language access: translation status, the PO round trip, fallback, right-to-left, locale dates."""
import datetime as dt
import re
import subprocess
import sys

import polib
import pytest
from babel import Locale

from blocks import dates
from common.errors import NewsletterError
from blocks.i18n import chrome
from blocks.i18n.exchange import export, import_po
from blocks.i18n.localize import localize
from blocks.i18n.status import language_status
from blocks.loader import load_issue
from blocks.render import render_issue
from tests.conftest import ROOT

ISSUE = """\
title: Test issue
period: October 2021
subject: News for families
preheader: What is coming up
languages: [en, es, ar]
blocks:
  - type: text
    id: welcome
    heading: Welcome
    body: Visit [the district site](https://www.whps.org) to learn more.
  - type: event
    id: picnic
    title: Family picnic
    start: 2021-09-29T18:00
    end: 2021-09-29T19:30
    online: true
"""


@pytest.fixture
def issue_dir(make_issue):
    return make_issue(ISSUE)


def translate(issue, lang, texts: dict, fuzzy=()):
    """Export, fill in msgstr by context, import; like a translator with Poedit."""
    po = export(issue, lang)
    for entry in po:
        if entry.msgctxt in texts:
            entry.msgstr = texts[entry.msgctxt]
            if entry.msgctxt not in fuzzy and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            if entry.msgctxt in fuzzy and "fuzzy" not in entry.flags:
                entry.flags.append("fuzzy")
    path = issue.path / f"upload-{lang}.po"
    po.save(str(path))
    return import_po(issue, polib.pofile(str(path)), lang, path)


SPANISH = {
    "issue.title": "Número de prueba", "issue.period": "Octubre de 2021",
    "issue.subject": "Noticias para las familias", "issue.preheader": "Lo que viene",
    "welcome.heading": "Bienvenidos",
    "welcome.body": "Visite [el sitio del distrito](https://www.whps.org) para saber más.",
    "picnic.title": "Picnic familiar",
}


def test_status_goes_missing_approved_stale(issue_dir):
    issue = load_issue(issue_dir)
    assert language_status(issue, "es").count("missing") == 4   # issue, publication, two blocks
    translate(issue, "es", SPANISH)
    status = language_status(load_issue(issue_dir), "es")
    assert status.owners_with("approved") == ["issue", "welcome", "picnic"]
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("to learn more", "to learn more about events"))
    status = language_status(load_issue(issue_dir), "es")
    assert status.owners_with("stale") == ["welcome"]
    assert status.outcome == "partial"


def test_fuzzy_entries_are_drafts_and_never_sent(issue_dir):
    issue = load_issue(issue_dir)
    translate(issue, "es", SPANISH, fuzzy={"picnic.title"})
    issue = load_issue(issue_dir)
    assert language_status(issue, "es").owners_with("draft") == ["picnic"]
    sent = localize(issue, "es")
    assert sent.blocks[1].fields.title == "Family picnic" and sent.blocks[1].lang == "en"
    preview = localize(issue, "es", drafts=True)
    assert preview.blocks[1].fields.title == "Picnic familiar" and preview.blocks[1].lang is None


def test_round_trip_keeps_links_and_renders_spanish(issue_dir):
    issue = load_issue(issue_dir)
    report = translate(issue, "es", SPANISH)
    assert report.approved == len(SPANISH)
    again = {e.msgctxt: e for e in export(load_issue(issue_dir), "es")}
    assert again["welcome.body"].msgstr == SPANISH["welcome.body"] and not again["welcome.body"].fuzzy
    email = render_issue(localize(load_issue(issue_dir), "es"), "es")
    assert email.subject == "Noticias para las familias"
    assert '<a href="https://www.whps.org"' in email.html and "el sitio del distrito</a>" in email.html
    assert "miércoles, 29 de septiembre de 2021" in email.html


def test_export_marks_stale_entries_fuzzy_with_the_previous_english(issue_dir):
    translate(load_issue(issue_dir), "es", SPANISH)
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("title: Family picnic", "title: Family picnic and games"))
    entry = {e.msgctxt: e for e in export(load_issue(issue_dir), "es")}["picnic.title"]
    assert entry.fuzzy and entry.previous_msgid == "Family picnic" and entry.msgstr == "Picnic familiar"


def bad_import(issue_dir, texts):
    issue = load_issue(issue_dir)
    with pytest.raises(NewsletterError) as caught:
        translate(issue, "es", texts)
    return caught.value.problems


def test_dropped_link_is_refused_with_entry_and_line(issue_dir):
    problems = bad_import(issue_dir, SPANISH | {"welcome.body": "Visite el sitio del distrito para saber más."})
    [p] = problems
    assert p.key == "welcome.body" and p.line > 1 and p.file.endswith("upload-es.po")
    assert "links differ" in p.message and "https://www.whps.org" in p.message
    assert not (issue_dir / "i18n" / "es.po").exists(), "nothing may be stored"


def test_changed_link_and_placeholder_and_markdown_are_refused(issue_dir):
    problems = bad_import(issue_dir, SPANISH | {
        "welcome.body": "Visite [el sitio](https://evil.example.com) **para saber más.",
        "picnic.title": "Picnic __FIRST_NAME__",
    })
    messages = {}
    for p in problems:
        messages.setdefault(p.key, []).append(p.message)
    assert any("links differ" in m for m in messages["welcome.body"])
    assert any("emphasis" in m for m in messages["welcome.body"])
    assert any("placeholders" in m for m in messages["picnic.title"])
    assert len({p.line for p in problems}) >= 2


def test_unknown_context_and_wrong_language_are_refused(issue_dir):
    issue = load_issue(issue_dir)
    po = export(issue, "es")
    po.append(polib.POEntry(msgctxt="gone.title", msgid="Old", msgstr="Viejo"))
    po.metadata["Language"] = "de"
    path = issue_dir / "bad.po"
    po.save(str(path))
    with pytest.raises(NewsletterError) as caught:
        import_po(issue, polib.pofile(str(path)), "de", path)
    keys = {p.key for p in caught.value.problems}
    assert {"Language", "gone.title"} <= keys


def test_cli_import_names_line_and_stores_nothing(issue_dir):
    issue = load_issue(issue_dir)
    po = export(issue, "es")
    for entry in po:
        entry.msgstr = SPANISH.get(entry.msgctxt, "")
    po.find("welcome.body", by="msgctxt").msgstr = "Sin enlace."
    path = issue_dir.parent / "es-upload.po"
    po.save(str(path))
    result = subprocess.run([sys.executable, str(ROOT / "compose.py"), "translations", "import", str(path)],
                            capture_output=True, text=True, cwd=issue_dir.parent.parent.parent)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert re.search(r"es-upload\.po:\d+: welcome\.body: links differ", result.stderr)
    assert "nothing was stored" in result.stderr


def test_fallback_policy(issue_dir):
    issue = load_issue(issue_dir)
    assert language_status(issue, "es").outcome == "partial"       # in the issue, incomplete
    assert language_status(issue, "pt").outcome == "english"       # not in the issue: English edition
    yaml = issue_dir / "issue.yaml"
    yaml.write_text(yaml.read_text().replace("languages: [en, es, ar]", "languages: [en, es, ar]\nfallback: hold"))
    held = load_issue(issue_dir)
    assert language_status(held, "es").outcome == "held"
    assert language_status(held, "pt").outcome == "held"
    translate(held, "es", SPANISH | {"publication.name": "Oficina de Avance de la Equidad",
                                     "publication.footer": "Visite [whps.org/equitypolicy](https://www.whps.org/equitypolicy)."})
    assert language_status(load_issue(issue_dir), "es").outcome == "full"


def test_untranslated_block_is_english_marked_and_noted(issue_dir):
    email = render_issue(localize(load_issue(issue_dir), "es"), "es")
    assert re.search(r'<div class="block-text lang-en" lang="en" dir="ltr"', email.html)
    # one note at the top, in the reader's language, naming the sections still in English (not one per block)
    note = "Estas secciones aún no están disponibles en su idioma, por eso aparecen en inglés:"
    text = " ".join(email.text.split())                     # the text part wraps at 72 characters
    assert email.html.count(note) == 1 and text.count(note) == 1
    assert re.search(note + r'</p>\s*<ul[^>]*>\s*<li lang="en"[^>]*>Welcome</li>\s*<li lang="en"[^>]*>Family picnic</li>',
                     email.html)
    assert email.html.index(note) < email.html.index('class="block-text')
    assert text.index(note + " • Welcome • Family picnic") < text.index("Welcome -------")


def test_arabic_is_right_to_left(issue_dir):
    translate(load_issue(issue_dir), "ar", {"welcome.heading": "مرحبًا",
                                             "welcome.body": "زوروا [موقع المنطقة التعليمية](https://www.whps.org) لمعرفة المزيد."})
    email = render_issue(localize(load_issue(issue_dir), "ar"), "ar")
    assert email.direction == "rtl"
    assert re.search(r'<html[^>]*lang="ar"[^>]*dir="rtl"', email.html)
    assert "text-align:start" in email.html.replace(" ", "")
    assert '<a dir="auto" href="https://www.whps.org"' in email.html          # URLs keep their own direction
    assert "إلغاء الاشتراك" in email.html                                     # chrome in Arabic
    assert re.search(r'<div class="block-event lang-en" lang="en" dir="ltr"', email.html)


def test_phone_numbers_and_addresses_are_isolated_in_rtl(make_issue):
    folder = make_issue(ISSUE.split("blocks:")[0] + "blocks:\n  - type: contact\n    id: office\n"
                        "    heading: Questions?\n    phone: (860) 263-0724\n    address: 50 South Main St, West Hartford\n")
    translate(load_issue(folder), "ar", {"office.heading": "أسئلة؟"})
    email = render_issue(localize(load_issue(folder), "ar"), "ar")
    assert "<bdi" not in email.html                     # Gmail, Outlook and Yahoo do not support it
    # <span dir="ltr"> for clients that keep it, the isolates LRI ... PDI (text) for those that strip tags
    assert '<span dir="ltr">\u2066(860) 263-0724\u2069</span>' in email.html
    assert '<span dir="ltr">\u206650 South Main St, West Hartford\u2069</span>' in email.html
    assert "الهاتف: \u2066(860) 263-0724\u2069" in email.text


@pytest.mark.parametrize("lang, expected", [
    ("es", "miércoles, 29 de septiembre de 2021, 6:00 – 7:30 p. m."),
    ("pt", "quarta-feira, 29 de setembro de 2021"),
    ("ar", "الأربعاء، 29 سبتمبر 2021"),
    ("en", "Wednesday, September 29, 2021, 6:00 – 7:30 PM"),
    ("vi", "Thứ Tư, 29 tháng 9, 2021"),
    ("zh_Hans", "2021年9月29日星期三"),
    ("ur", "بدھ، 29 ستمبر، 2021"),
    ("ru", "среда, 29 сентября 2021"),
    ("ht", "mèkredi 29 septanm 2021"),          # CLDR has no Haitian Creole names: blocks/dates.py has them
])
def test_locale_dates(lang, expected):
    start, end = dt.datetime(2021, 9, 29, 18), dt.datetime(2021, 9, 29, 19, 30)
    spaces = str.maketrans({"\u2009": " ", "\u202f": " ", "\u00a0": " "})   # CLDR versions vary
    assert expected in dates.when(start, end, Locale.parse(lang)).translate(spaces)


def test_calendar_files_are_in_the_readers_language(issue_dir):
    translate(load_issue(issue_dir), "es", SPANISH)
    email = render_issue(localize(load_issue(issue_dir), "es"), "es")
    ics = email.files["picnic-es.ics"].decode()
    assert "SUMMARY;LANGUAGE=es:Picnic familiar" in ics and "LOCATION:En línea" in ics


def test_library_blocks_are_translated_once_for_every_issue(make_issue, tmp_path):
    first = load_issue(make_issue(ISSUE.split("blocks:")[0] + "blocks:\n  - include: mental-health\n", "first"))
    po = export(first, "es")
    texts = {e.msgctxt: f"ES {e.msgid}" for e in po if e.msgctxt.startswith("library/")}
    translate(first, "es", texts)
    assert (tmp_path / "newsletters" / "library" / "i18n" / "es.po").exists()     # beside the issues, not in blocks/
    second = load_issue(make_issue(ISSUE.split("blocks:")[0] + "blocks:\n  - include: mental-health\n", "second"))
    assert language_status(second, "es").owners_with("approved") == ["mental-health"]


def test_chrome_catalogs_are_complete_and_keep_placeholders():
    template = polib.pofile(str(chrome.CATALOGS / "messages.pot"))
    # the district's most common home languages, and every language of the publication
    district = {"es", "pt", "ar", "zh_Hans", "ru", "bs", "ur", "pl", "vi", "ta", "ht", "uk"}
    publication = load_issue(ROOT / "newsletters" / "equity" / "2021-09-sept-oct").publication.languages
    assert district | set(publication) - {"en"} <= set(chrome.available())
    for lang in chrome.available():
        catalog = {e.msgid: e for e in polib.pofile(str(chrome.CATALOGS / f"{lang}.po"))}
        for entry in template:
            translated = catalog[entry.msgid]
            assert translated.msgstr and not translated.fuzzy, (lang, entry.msgid)
            assert re.findall(r"%\(\w+\)s", translated.msgstr) == re.findall(r"%\(\w+\)s", entry.msgid)


def test_a_chrome_string_changed_on_disk_is_used_by_a_running_process(issue_dir, tmp_path, monkeypatch):
    """A worker or a preference center runs for weeks: a footer string approved in the studio
    (another process) reaches the next email and page it makes, without a restart."""
    import shutil
    shutil.copytree(chrome.CATALOGS, tmp_path / "chrome")
    monkeypatch.setattr(chrome, "CATALOGS", tmp_path / "chrome")
    issue = load_issue(issue_dir)
    assert "Ver este correo en su navegador" in render_issue(localize(issue, "es"), "es").html
    catalog = tmp_path / "chrome" / "es.po"
    catalog.write_text(catalog.read_text(encoding="utf-8").replace(
        'msgstr "Ver este correo en su navegador"', 'msgstr "Vea este mensaje en su navegador web"'), encoding="utf-8")
    assert "Vea este mensaje en su navegador web" in render_issue(localize(issue, "es"), "es").html
    assert chrome.translations("es").gettext("View this email in your browser") == "Vea este mensaje en su navegador web"


def test_chrome_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(ROOT / "blocks/i18n/babel.cfg"), "-o", str(fresh), "--no-location", "--omit-header",
                    str(ROOT / "blocks"), str(ROOT / "family_web")], check=True, capture_output=True, cwd=ROOT)
    committed = {e.msgid for e in polib.pofile(str(chrome.CATALOGS / "messages.pot"))}
    assert {e.msgid for e in polib.pofile(str(fresh))} == committed, "run the pybabel extract in the README"


def test_sample_arabic_sections_have_the_right_direction(sample_issue):
    html = render_issue(localize(sample_issue, "ar"), "ar").html
    sections = re.split(r'(?=<div class="(?:block-|chrome-))', html)
    welcome = next(s for s in sections if s.startswith('<div class="block-intro"'))
    contact = next(s for s in sections if s.startswith('<div class="block-contact lang-en"'))
    assert "direction:rtl" in welcome and "direction:ltr" not in welcome
    assert 'lang="en" dir="ltr"' in contact and "direction:rtl" not in contact
    assert '\u2066(Office of Equity Advancement)\u2069</span>' in html     # Latin runs stay readable in Arabic


def test_sample_spanish_acceptance(sample_issue):
    email = render_issue(localize(sample_issue, "es"), "es")
    assert re.search(r'<html[^>]*lang="es"', email.html)
    assert email.subject.startswith("¡Bienvenidos")
    assert "29 de septiembre" in email.html and "Cancelar la suscripción" in email.html
    assert "Esta sección aún no está disponible" not in email.html        # fully translated
    assert language_status(sample_issue, "es").outcome == "full"
    assert language_status(sample_issue, "ar").outcome == "partial"
