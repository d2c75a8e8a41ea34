"""The send policy for machine translations, per language (`machine:` in publication.yaml,
overridable in issue.yaml):

    machine: send            # every language: machine editions go out, with a banner saying so
    machine: hold            # every language: held until a reviewer approves them
    machine:                 # per language; `default` for the others
      default: send
      ar: hold

Held machine text never reaches families: they get what `fallback:` says (English, or
nothing) until a reviewer approves it (clears the fuzzy flag in the PO file).
"""
from __future__ import annotations

from dataclasses import dataclass

from blocks.kinds import Kind, Language, describe
from common.problems import FieldError

SEND, HOLD = "send", "hold"
_CHOICES = (SEND, HOLD)


@dataclass(frozen=True)
class MachinePolicy:
    default: str = HOLD
    by_lang: tuple[tuple[str, str], ...] = ()

    def for_lang(self, lang: str) -> str:
        return dict(self.by_lang).get(lang, self.default)

    def sends(self, lang: str) -> bool:
        return self.for_lang(lang) == SEND

    def over(self, base: "MachinePolicy | None") -> "MachinePolicy":
        """This policy (an issue's) on top of `base` (the publication's): `machine: hold` alone
        holds every language; a mapping changes only the languages (and default) it names."""
        if base is None or not self.by_lang:
            return self
        mine = dict(self.by_lang)
        default = mine.pop("default", base.default)
        merged = {lang: choice for lang, choice in base.by_lang if lang != "default"} | mine
        return MachinePolicy(default, tuple(sorted(merged.items())))


@dataclass(frozen=True)
class MachinePolicyKind(Kind):
    def clean(self, value) -> MachinePolicy:
        if isinstance(value, str):
            return MachinePolicy(_choice(value))
        if not isinstance(value, dict) or not value:
            raise FieldError(f"expected send, hold or a mapping of languages, got {describe(value)}",
                             "write machine: send, machine: hold, or one 'es: send' line per language")
        default, by_lang = HOLD, {}
        for key, choice in value.items():
            if key == "default":
                default = _choice(choice)
                by_lang["default"] = default      # remembered so an issue's default overrides
                continue
            try:
                lang = Language().clean(key)
            except FieldError as e:
                raise FieldError(f"'{key}': {e.message}", e.hint) from None
            by_lang[lang] = _choice(choice)
        return MachinePolicy(default, tuple(sorted(by_lang.items())))


def _choice(value) -> str:
    text = str(value).strip().lower() if isinstance(value, str) else ""
    if text not in _CHOICES:
        raise FieldError(f"{describe(value)} is not send or hold",
                         "send: machine editions go out with a banner; hold: only after a reviewer approves them")
    return text
