"""Reviewing an issue's translations block by block (the studio's review pages, studio/review_pages.py).

Each block (and the issue's own texts, and the publication's) is an "owner" of units
(blocks/i18n/units.py); a reviewer sees, per unit, the English, the stored translation with its
status, the provider of a machine draft, and for a stale one the word-level difference between
the English it was made from and the English now. Saving goes through the same checks and the
same files as `translations import` (exchange.check_translation, catalogs.store): a PO entry per
field, the English it translates as msgid, fuzzy for a draft; other entries, their comments and
the catalogs' headers are left as they are.

Conflicts: `fingerprint(issue, lang, owner)` is the owner's stored entries as they are; a save
made from a page whose fingerprint no longer matches is refused (someone else changed them).
"""
from __future__ import annotations

import difflib
import hashlib
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import polib

from blocks.i18n import catalogs
from blocks.i18n.catalogs import APPROVED, DRAFT, MACHINE, MISSING, STALE, Translation
from blocks.i18n.exchange import check_translation
from blocks.i18n.machine.glossary import Glossary
from blocks.i18n.status import unit_status
from blocks.i18n.units import Unit, all_units
from blocks.model import Issue

RTL = frozenset({"ar", "ur", "fa", "he", "ps", "sd", "ug", "yi", "dv", "ckb"})
_SAVING = threading.Lock()          # one save at a time in this process: check, then write


def direction(lang: str) -> str:
    return "rtl" if lang.split("_")[0] in RTL else "ltr"


def owners(issue: Issue) -> list[str]:
    """The issue's texts, its blocks in order, then the publication's texts (footer, name)."""
    found = list(dict.fromkeys(u.owner for u in all_units(issue)))
    middle = [o for o in found if o not in ("issue", "publication")]
    return [o for o in ("issue",) if o in found] + middle + [o for o in ("publication",) if o in found]


def owner_units(issue: Issue, owner: str) -> list[Unit]:
    return list({u.context: u for u in all_units(issue) if u.owner == owner}.values())


@dataclass(frozen=True)
class Change:
    """A run of words of the English: kept ("="), removed ("-") or added ("+") since the translation."""
    op: str
    text: str


@dataclass
class ReviewField:
    unit: Unit
    status: str
    text: str                      # the stored translation ("" when missing)
    machine: str = ""              # the provider of an unreviewed machine draft
    changes: list[Change] = field(default_factory=list)    # stale: the English then -> now, word by word
    problems: list[tuple[str, str]] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)    # (English name, what to write)
    warnings: list[str] = field(default_factory=list)

    @property
    def local_machine(self) -> bool:
        """The machine draft came from a server on this machine (a test stub), not the real service."""
        host = self.machine.split("@", 1)[1] if "@" in self.machine else ""
        return host.split(":")[0] in ("127.0.0.1", "localhost", "[::1]")


def word_changes(before: str, after: str) -> list[Change]:
    """What changed from `before` to `after`, word by word (whitespace kept with its word)."""
    old, new = re.findall(r"\S+\s*", before), re.findall(r"\S+\s*", after)
    changes = []
    matcher = difflib.SequenceMatcher(None, [w.strip() for w in old], [w.strip() for w in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes.append(Change("=", "".join(new[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            changes.append(Change("-", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            changes.append(Change("+", "".join(new[j1:j2])))
    return changes


def glossary_terms(source: str, glossary: Glossary, lang: str) -> list[tuple[str, str]]:
    """The glossary's names in `source`, each with what the translation must say for it."""
    found = []
    wanted = glossary.for_lang(lang)
    for name in sorted({*glossary.keep, *wanted}, key=len, reverse=True):
        if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", source):
            found.append((name, wanted.get(name, name)))
    return found


def review_fields(issue: Issue, lang: str, owner: str, glossary: Glossary = Glossary()) -> list[ReviewField]:
    stored = catalogs.load(issue, lang)
    fields = []
    for unit in owner_units(issue, owner):
        found = stored.get(unit.context)
        status = unit_status(unit, stored)
        item = ReviewField(unit, status, found.text if found else "", found.machine if found else "")
        if status == STALE and found is not None:
            item.changes = word_changes(found.source, unit.source)
        item.glossary = glossary_terms(unit.source, glossary, lang)
        fields.append(item)
    return fields


def owner_statuses(issue: Issue, lang: str) -> dict[str, str]:
    """Each owner's status in `lang`: its worst field's (as `translations status` counts them)."""
    stored = catalogs.load(issue, lang)
    worst: dict[str, str] = {}
    for unit in all_units(issue):
        status = unit_status(unit, stored)
        if unit.owner not in worst or catalogs.STATUSES.index(status) > catalogs.STATUSES.index(worst[unit.owner]):
            worst[unit.owner] = status
    return worst


def fingerprint(issue: Issue, lang: str, owner: str) -> str:
    """The owner's stored translations as they are now (what a save is compared with)."""
    stored = catalogs.load(issue, lang)
    digest = hashlib.sha256()
    for unit in owner_units(issue, owner):
        found = stored.get(unit.context)
        digest.update(repr((unit.context, found and (found.source, found.text, found.draft, found.machine)))
                      .encode("utf-8"))
    return digest.hexdigest()


@dataclass
class SaveResult:
    fields: list[ReviewField]       # with the posted texts and their problems
    files: list[Path]
    refused: bool = False           # the stored translations changed since the page was opened
    unchanged: bool = False         # everything was already stored so: nothing written

    @property
    def problems(self) -> int:
        return sum(len(f.problems) for f in self.fields)


def save(issue: Issue, lang: str, owner: str, texts: dict[str, str], *, approve: bool, seen: str | None,
         glossary: Glossary = Glossary()) -> SaveResult:
    """Store the owner's translations into `lang` (approved, or as drafts), checked like `translations
    import`: all of them, or - if any field has a problem, or the stored ones changed since the
    fingerprint `seen` - nothing. An empty field is left as it was (approving needs every field)."""
    with _SAVING:
        fields = review_fields(issue, lang, owner, glossary)
        stored = catalogs.load(issue, lang)
        entries = []
        for item in fields:
            unit = item.unit
            text = (texts.get(unit.context) or "").replace("\r\n", "\n").strip()
            item.text = text
            if not text:
                if approve:
                    item.problems.append(("this field is not translated yet",
                                          "translate it, or save the block as a draft"))
                continue
            item.problems += check_translation(unit, unit.source, text)
            item.warnings = [f"the glossary asks for '{want}' here (for '{name}')"
                             for name, want in item.glossary if want not in text]
            entry = _entry(unit, text, approve, stored.get(unit.context))
            if _differs(entry, stored.get(unit.context)):
                entries.append(entry)
        if seen is not None and seen != fingerprint(issue, lang, owner):
            return SaveResult(fields, [], refused=True)
        if any(item.problems for item in fields) or not entries:
            return SaveResult(fields, [], unchanged=not entries and not any(item.problems for item in fields))
        return SaveResult(fields, catalogs.store(issue, lang, entries))


def _differs(entry: polib.POEntry, found: Translation | None) -> bool:
    """Whether storing `entry` changes anything (an entry stored as it already is is left untouched)."""
    return found is None or (found.source, found.text, found.draft, found.machine) != \
        (entry.msgid, entry.msgstr, entry.fuzzy, catalogs.machine_provider(entry))


def _entry(unit: Unit, text: str, approve: bool, found: Translation | None) -> polib.POEntry:
    """The PO entry `translations import` stores for this text: a machine draft saved unchanged as a
    draft keeps its provider's note (still `machine`); approved or edited, it is a person's work."""
    machine = not approve and found is not None and found.machine and found.text == text and \
        found.source == unit.source
    return polib.POEntry(msgctxt=unit.context, msgid=unit.source, msgstr=text, flags=[] if approve else ["fuzzy"],
                         comment=unit.note, occurrences=[(unit.location[0], str(unit.location[1] or ""))],
                         tcomment=catalogs.MACHINE_NOTE.format(provider=found.machine) if machine else "")


def only(item, contexts: set[str], glossary: Glossary):
    """A machine-translation plan (blocks/i18n/machine/run.py) cut down to the texts of `contexts`
    (one block), with the characters its provider bills for them."""
    from dataclasses import replace

    from blocks.i18n.machine.markup import to_xml
    if not item.offered:
        return item
    todo = [u for u in item.todo if u.context in contexts]
    sources = {u.source: u.markdown for u in todo}
    return replace(item, todo=todo, reuse={c: t for c, t in item.reuse.items() if c in contexts},
                   kept_human=[c for c in item.kept_human if c in contexts],
                   characters=sum(item.provider.billable(to_xml(s, md, glossary.keep)) for s, md in sources.items()))


def status_words(status: str) -> str:
    return {APPROVED: "approved", DRAFT: "draft", MACHINE: "machine draft", STALE: "stale: the English changed",
            MISSING: "missing"}[status]
