"""Home-language names as districts write them ("Spanish", "Español", "spa") -> language codes.

Codes are Babel locale identifiers (es, pt, ar, zh, zh_Hans, bs, ...), the same codes the
content side uses for translations. English names come from Babel's CLDR data; the table
below holds the native names and what rosters say that CLDR does not (ISO 639-2/3 codes,
"Farsi", "Haitian-Creole", "Mandarin", "Cantonese", ...). Matching ignores case, accents,
spaces and punctuation.
"""
from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

from babel import Locale, UnknownLocaleError

# code -> native names and the other names and codes seen in district exports. English names
# come from Babel (one locale load); native names are listed here so a lookup never has to load
# fifty locales (a test checks they cover Babel's own native names).
LANGUAGES: dict[str, tuple[str, ...]] = {
    "en": ("English", "eng", "Inglés", "Ingles"),
    "es": ("español", "spa", "Castellano", "Spanish (Latin America)", "Spanish - Latin America"),
    "pt": ("português", "por", "Portuguese (Brazil)", "Brazilian Portuguese", "Português do Brasil",
           "português (Brasil)", "português (Portugal)"),
    "ar": ("العربية", "ara", "Arabic (Modern Standard)", "Arabe"),
    "zh": ("中文", "chi", "zho", "cmn", "yue", "Mandarin", "Cantonese", "Chinese Mandarin", "Chinese Cantonese",
           "Mandarin Chinese", "Cantonese Chinese", "Putonghua", "普通话", "普通話", "國語", "粤语", "粵語",
           "广东话", "廣東話", "漢語", "汉语"),
    "zh_Hans": ("中文 (简体)", "简体中文", "Chinese (Simplified)", "Chinese Simplified", "zh-CN", "zh_CN"),
    "zh_Hant": ("中文 (繁體)", "繁體中文", "Chinese (Traditional)", "Chinese Traditional", "zh-TW", "zh_TW",
                "zh-HK", "zh_HK"),
    "vi": ("Tiếng Việt", "vie"),
    "ht": ("Kreyòl Ayisyen", "hat", "Haitian", "Haitian-Creole", "Creole", "Creole (Haitian)", "Kreyòl"),
    "ru": ("русский", "rus", "Russkiy"),
    "ko": ("한국어", "kor", "Hangul"),
    "tl": ("Tagalog", "tgl", "fil", "Filipino", "Pilipino", "Filipino (Pilipinas)",
           "Filipino (Philippines)"),
    "so": ("Soomaali", "som", "Somalian"),
    "fr": ("français", "fre", "fra"),
    "uk": ("українська", "ukr", "Ukranian", "Ukrayinska"),
    "bs": ("bosanski", "bos", "Bosnian (Latin)", "Bosanski jezik", "Serbo-Croatian", "Bosnian-Croatian-Serbian"),
    "pl": ("polski", "pol", "Polish (Polski)"),
    "ur": ("اردو", "urd"),
    "hi": ("हिन्दी", "hin"),
    "bn": ("বাংলা", "ben", "Bengali", "Bangla"),
    "ne": ("नेपाली", "nep"),
    "sw": ("Kiswahili", "swa", "swh"),
    "fa": ("فارسی", "per", "fas", "Farsi", "Persian (Farsi)"),
    "fa_AF": ("دری", "prs", "Dari", "Dari Persian", "Persian (Afghanistan)", "فارسی (افغانستان)"),
    "ps": ("پښتو", "pus", "Pashtu", "Pushto"),
    "ja": ("日本語", "jpn"),
    "de": ("Deutsch", "ger", "deu"),
    "it": ("italiano", "ita"),
    "sq": ("shqip", "alb", "sqi"),
    "tr": ("Türkçe", "tur"),
    "my": ("မြန်မာ", "bur", "mya", "Myanmar"),
    "ti": ("ትግርኛ", "tir"),
    "am": ("አማርኛ", "amh"),
    "gu": ("ગુજરાતી", "guj"),
    "pa": ("ਪੰਜਾਬੀ", "pan", "Panjabi"),
    "te": ("తెలుగు", "tel"),
    "ta": ("தமிழ்", "tam"),
    "km": ("ខ្មែរ", "khm", "Cambodian", "Khmer (Cambodian)"),
    "lo": ("ລາວ", "lao", "Laotian"),
    "el": ("Ελληνικά", "gre", "ell", "Greek (Modern)"),
    "ro": ("română", "rum", "ron", "Moldovan"),
    "he": ("עברית", "heb", "iw", "Ivrit"),
    "sr": ("српски", "srpski", "srp"),
    "hr": ("hrvatski", "hrv"),
    "kea": ("kabuverdianu", "Cape Verdean", "Cape Verdean Creole", "Cabo Verdean Creole", "Kriolu", "Crioulo"),
    "ku": ("kurdî", "Kurdî (kurmancî)", "kur", "Kurmanji"),
    "ckb": ("کوردیی ناوەندی", "کوردی", "Sorani", "Kurdish (Sorani)"),
    "hmn": ("Hmoob", "Hmong"),
}

_NOT_IN_BABEL_NAMES = {"hmn": "Hmong"}


def fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-insensitive lookup key."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", kept.casefold())


@lru_cache(maxsize=1)
def _table() -> dict[str, str]:
    table: dict[str, str] = {}
    english = Locale("en").languages
    for code, aliases in LANGUAGES.items():
        for name in (code, english.get(code), *aliases):
            if name:
                table.setdefault(fold(name), code)
    return table


class UnknownLanguage(ValueError):
    """A home-language value that maps to no code; `suggestions` holds the closest known names."""

    def __init__(self, value: str, suggestions: list[str]):
        self.value = value
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown language '{value}'{hint}")


@lru_cache(maxsize=4096)
def language_code(value: str) -> str:
    """Map a language name or code to its code: "Spanish", "Español", "spa", "ES" -> "es".

    Also accepts any locale code Babel knows ("fr-CA" -> "fr", "sr_Latn"). Raises UnknownLanguage
    (with the closest known names) for anything else.
    """
    text = str(value).strip()
    code = _table().get(fold(text))
    if code:
        return code
    if re.fullmatch(r"[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,4}){0,2}", text):
        try:
            locale = Locale.parse(text.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            pass
        else:  # keep a script (sr_Latn), drop a region (es_MX -> es) unless the table knows it
            return f"{locale.language}_{locale.script}" if locale.script else locale.language
    raise UnknownLanguage(text, suggest(text))


def suggest(value: str, count: int = 3) -> list[str]:
    """The closest known language names to `value`, as 'Name (code)'."""
    table = _table()
    matches = difflib.get_close_matches(fold(value), list(table), n=count * 3, cutoff=0.75)
    result: list[str] = []
    for key in matches:
        shown = f"{language_name(table[key])} ({table[key]})"
        if shown not in result:
            result.append(shown)
    return result[:count]


def language_name(code: str) -> str:
    """English name of a language code, e.g. "es" -> "Spanish"; the code itself if unknown."""
    if code in _NOT_IN_BABEL_NAMES:
        return _NOT_IN_BABEL_NAMES[code]
    name = Locale("en").languages.get(code)
    if name:
        return name
    try:
        return Locale.parse(code).get_display_name("en") or code
    except (UnknownLocaleError, ValueError):
        return code
