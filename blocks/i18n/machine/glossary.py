"""The publication's glossary for machine translation: newsletters/<publication>/glossary.yaml.

Names of programmes and offices, kept as they are or translated the way staff decided:

    Foodshare: keep                              # never translated, in every language
    Office of Equity Advancement:                # these languages get these words;
      es: Oficina para el Avance de la Equidad   # the others, the provider's own translation
      pt: Escritório para o Avanço da Equidade

Names to keep are protected in what the provider is sent (blocks/i18n/machine/markup.py);
translations are given to the provider as its glossary for that language, where it has one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from blocks.kinds import Language
from common.errors import NewsletterError
from common.problems import FieldError, Problem
from common.yaml_source import display_path, load_yaml

FILE_NAME = "glossary.yaml"
KEEP = "keep"


@dataclass(frozen=True)
class Glossary:
    keep: tuple[str, ...] = ()
    terms: dict[str, dict[str, str]] = field(default_factory=dict)     # lang -> English -> translation

    def for_lang(self, lang: str) -> dict[str, str]:
        return dict(self.terms.get(lang, {}))


def load_glossary(newsletters_dir: Path) -> Glossary:
    """The glossary beside publication.yaml (an empty one if there is none)."""
    path = Path(newsletters_dir) / FILE_NAME
    if not path.exists():
        return Glossary()
    doc, problems = load_yaml(path)
    if doc is None or problems:
        raise NewsletterError(problems)
    shown = display_path(path)
    if doc.data is None:
        return Glossary()
    if not isinstance(doc.data, dict):
        raise NewsletterError([Problem(shown, "", "the glossary must be a mapping of names",
                                       "write one 'Name: keep' line per name, or the name with its translations "
                                       "per language below it", doc.line(""))])
    keep, terms = [], {}
    for name, value in doc.data.items():
        if value == KEEP:
            keep.append(name)
        elif isinstance(value, dict) and value:
            for lang, text in value.items():
                try:
                    code = Language().clean(lang)
                except FieldError as e:
                    problems.append(Problem(shown, f"{name}.{lang}", e.message, e.hint, doc.line(f"{name}.{lang}")))
                    continue
                if not isinstance(text, str) or not text.strip() or "\n" in text.strip():
                    problems.append(Problem(shown, f"{name}.{lang}", "expected the name in this language, on one line",
                                            "write e.g. es: Oficina para el Avance de la Equidad",
                                            doc.line(f"{name}.{lang}")))
                    continue
                terms.setdefault(code, {})[name] = text.strip()
        else:
            problems.append(Problem(shown, name, f"expected 'keep' or translations per language for '{name}'",
                                    "write 'Name: keep', or the name with 'es: ...' lines below it", doc.line(name)))
    if problems:
        raise NewsletterError(problems)
    return Glossary(tuple(keep), terms)
