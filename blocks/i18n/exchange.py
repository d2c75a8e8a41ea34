"""The translator round trip: export an issue to a PO file, import it back, validated.

Translators never touch YAML. Export writes one PO file per language with every text the
families of that language will read (msgctxt names the block and field; comments say what
it is); import checks each translation against its English (links, placeholders, Markdown)
and stores all of it, or - if anything is wrong - nothing.
"""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import polib
from babel import Locale

from blocks import markdown, tokens
from blocks.characters import invisible_characters
from common.errors import NewsletterError
from common.problems import Problem
from blocks.model import Issue
from common.yaml_source import display_path
from blocks.i18n import catalogs
from blocks.i18n.status import unit_status
from blocks.i18n.units import Unit, all_units

ISSUE_HEADER = "X-Newsletter-Issue"
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def export(issue: Issue, lang: str) -> polib.POFile:
    stored = catalogs.load(issue, lang)
    po = polib.POFile(wrapwidth=100)
    name = Locale.parse(lang).get_display_name("en")
    po.header = (f"{issue.publication.name}: {issue.title}, {issue.period} ({issue.slug}), into {name}.\n"
                 "Translate each msgstr. Keep every link address, every __PLACEHOLDER__ and %(name)s as they are.\n"
                 "Entries marked fuzzy are drafts (or the English changed since they were translated):\n"
                 "review them and clear the fuzzy flag when they are right.")
    po.metadata = {
        "Project-Id-Version": f"{issue.publication.name} {issue.slug}",
        "Language": lang,
        ISSUE_HEADER: issue.key,
        "POT-Creation-Date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M%z"),
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    seen = set()
    for unit in all_units(issue):
        if unit.context in seen:
            continue
        seen.add(unit.context)
        found = stored.get(unit.context)
        status = unit_status(unit, stored)
        entry = polib.POEntry(msgctxt=unit.context, msgid=unit.source, msgstr=found.text if found else "",
                              comment=unit.note, occurrences=[(unit.location[0], str(unit.location[1] or ""))],
                              tcomment=catalogs.MACHINE_NOTE.format(provider=found.machine)
                              if found and found.machine else "")
        if status in (catalogs.DRAFT, catalogs.STALE, catalogs.MACHINE):
            entry.flags.append("fuzzy")
        if status == catalogs.STALE:
            entry.previous_msgid = found.source
        po.append(entry)
    return po


@dataclass(frozen=True)
class ImportReport:
    lang: str
    issue: str
    approved: int
    drafts: int
    untranslated: int
    machine: int                 # machine translations sent back unchanged and still fuzzy: not reviewed
    older_english: list[str]     # contexts translated from English that has changed since
    files: list[Path]


def read_po(path: Path) -> tuple[polib.POFile, str, str]:
    """The PO file, its language and the issue it names; NewsletterError if unreadable."""
    shown = display_path(path)
    try:
        po = polib.pofile(str(path))
    except (OSError, ValueError) as e:
        raise NewsletterError([Problem(shown, "", f"cannot read this PO file: {e}",
                                 "check that it is the file exported by 'translations export'")]) from e
    lang = (po.metadata.get("Language") or "").replace("-", "_")
    if not lang:
        raise NewsletterError([Problem(shown, "Language", "the PO header has no Language",
                                 'add a line "Language: es\\n" to the header (msgid "" at the top)')])
    return po, lang, po.metadata.get(ISSUE_HEADER, "")


def import_po(issue: Issue, po: polib.POFile, lang: str, path: Path) -> ImportReport:
    shown = display_path(path)
    problems: list[Problem] = []
    if lang not in issue.publication.languages or lang == issue.source_lang:
        problems.append(Problem(shown, "Language", f"'{lang}' is not one of the publication's translation "
                                f"languages ({', '.join(l for l in issue.publication.languages if l != 'en')})",
                                "fix the Language header, or add the language to "
                                f"{display_path(issue.path.parent / 'publication.yaml')}"))
    units = {u.context: u for u in all_units(issue)}
    stored = catalogs.load(issue, lang)
    accepted, older, untranslated = [], [], 0
    for entry in po:
        if entry.obsolete:
            continue
        where = (shown, entry.msgctxt or entry.msgid[:40], entry.linenum)
        unit = units.get(entry.msgctxt)
        if unit is None:
            problems.append(Problem(*where[:2], "no text in this issue has this context (msgctxt)",
                                    "export a fresh PO file: the block may have been renamed or removed", where[2]))
            continue
        if not entry.msgstr.strip():
            untranslated += 1
            continue
        problems += [Problem(where[0], where[1], message, hint, where[2])
                     for message, hint in check_translation(unit, entry.msgid, entry.msgstr)]
        if entry.msgid != unit.source:
            older.append(unit.context)
        accepted.append(polib.POEntry(msgctxt=unit.context, msgid=entry.msgid, msgstr=entry.msgstr.strip(),
                                      flags=["fuzzy"] if entry.fuzzy else [], comment=unit.note,
                                      tcomment=_machine_note(entry, stored.get(unit.context)),
                                      occurrences=[(unit.location[0], str(unit.location[1] or ""))]))
    if problems:
        raise NewsletterError(problems)
    files = catalogs.store(issue, lang, accepted, header_comment=po.header)
    machine = sum(1 for e in accepted if e.tcomment)
    drafts = sum(1 for e in accepted if e.fuzzy) - machine
    return ImportReport(lang, issue.key, len(accepted) - drafts - machine, drafts, untranslated, machine, older,
                        files)


def _machine_note(entry: polib.POEntry, stored: catalogs.Translation | None) -> str:
    """Keep an entry's machine-translation note only while nobody has touched it: still fuzzy,
    and the same text the machine stored. A reviewer who clears the flag approves it; one who
    edits it makes it a human draft."""
    if not catalogs.machine_provider(entry) or stored is None or not stored.machine:
        return ""
    unchanged = stored.text == entry.msgstr.strip() and stored.source == entry.msgid
    return entry.tcomment if unchanged else ""


def check_translation(unit: Unit, source: str, text: str) -> list[tuple[str, str]]:
    """What is wrong with one translation of `source`, as (message, hint) pairs."""
    found = []
    if Counter(tokens.ANY_TOKEN.findall(source)) != Counter(tokens.ANY_TOKEN.findall(text)):
        found.append(("placeholders differ from the English", "keep each __PLACEHOLDER__ exactly as in the msgid"))
    if Counter(_PLACEHOLDER.findall(source)) != Counter(_PLACEHOLDER.findall(text)):
        found.append(("placeholders differ from the English", "keep each %(name)s exactly as in the msgid"))
    found += invisible_characters(text.strip(), one_line=not unit.markdown)
    if not unit.markdown:
        if "\n" in text.strip():
            found.append(("this text must stay on one line", "remove the line breaks"))
        return found
    source_links = Counter(href for _, href in markdown.links(source))
    text_links = Counter(href for _, href in markdown.links(text))
    if source_links != text_links:
        missing = sorted(set(source_links) - set(text_links))
        extra = sorted(set(text_links) - set(source_links))
        detail = "; ".join(filter(None, [f"missing {', '.join(missing)}" if missing else "",
                                         f"not in the English: {', '.join(extra)}" if extra else ""]))
        found.append((f"links differ from the English ({detail or 'a link appears a different number of times'})",
                      "keep every [link text](address) with the same address; translate only the link text"))
    plain = markdown.to_text(text)
    if "**" in plain or re.search(r"(^|\s)\*\S", plain) or plain.count("*") > markdown.to_text(source).count("*"):
        found.append(("unbalanced Markdown emphasis (a ** or * is not closed)", "close **bold** and *italic* pairs"))
    if "](" in plain or re.search(r"\[[^\]]*$", plain, re.M):
        found.append(("a Markdown link is broken", "write links as [link text](https://...)"))
    found += markdown.problems(text)
    return found
