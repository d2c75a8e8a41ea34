"""Plain-text reports for the subscriber and audience commands (what staff read)."""
from __future__ import annotations

from mailer.values.grades import GRADES
from mailer.values.languages import language_name
from mailer.values.topics import TOPICS

MAX_LISTED_UPDATES = 20


def _n(value: int) -> str:
    return f"{value:,}"


def import_report(report, roster, store_description: str, *, dry_run: bool, skip_invalid: bool,
                  audiences_file: str = "audiences.yaml") -> list[str]:
    columns = ", ".join(f"{f}={h}" for f, h in roster.columns.items())
    lines = [f"{roster.path.name}: {_n(report.rows)} rows, {_n(report.families)} families (columns: {columns})"]
    lines += [f"  ({note})" for note in roster.reading]
    if roster.ignored:
        lines.append(f"  (columns not read, their values are not imported: {', '.join(roster.ignored)})")
    would = "" if report.written else "would be "
    if not report.written:
        lines.append("Nothing written yet; the import would do this:")
    for label, count in ((f"{would}added", len(report.added)), (f"{would}updated", len(report.updated)),
                         ("unchanged", report.unchanged), ("kept suppressed", len(report.kept_suppressed)),
                         ("rejected rows", len(report.rejected))):
        lines.append(f"  {label:<20}{_n(count):>8}")
    lines += _rejected(report, skip_invalid)
    unknown = [u for u in report.unknown if u.field != "language"]  # those are rows to fix or warnings
    if unknown:
        lines += ["", "Values nobody knows, kept as written (their families are not left out: all-families and "
                      "their language's segments reach them; school, grade and topic segments do not until fixed):"]
        lines += [f"  unknown {u.field} '{u.value}': {unknown_fix(u.field, u.value, audiences_file)}: "
                  f"{_families(u.families)} ({_rows(u.rows)})" for u in unknown]
    warnings = [f"{bad} Imported in {_language(report.default_language)}, the publication's default language; "
                "correct it in the roster, then re-import." for bad in report.fallbacks] + report.warnings
    if warnings:
        lines += ["", "Warnings:"] + [f"  {warning}" for warning in warnings]
    lines += _changes(report, would)
    if report.publications:
        new = f" ({', '.join(f'{_n(n)} newly subscribed to {p}' for p, n in report.subscribed.items())})" \
            if report.written and report.subscribed else ""
        lines += ["", f"The families {'follow' if report.written else 'would follow'}: "
                      f"{', '.join(report.publications)}{new}. A family who unsubscribed from one stays so."]
    lines.append("")
    if report.written:
        lines.append(f"Imported into {store_description}.")
    elif dry_run:
        lines.append("Dry run: nothing was written.")
    else:
        lines.append(f"Nothing was imported: {_n(len(report.rejected))} rows need fixing "
                     "(or rerun with --skip-invalid).")
    return lines


def _changes(report, would: str) -> list[str]:
    lines = []
    if report.kept_suppressed:
        lines.append("")
        lines.append("Kept suppressed (unsubscribed, bounced or complained; an import never resubscribes them):")
        lines += [f"  {email} ({status})" for email, status in report.kept_suppressed]
    if report.updated:
        lines.append("")
        lines.append("Would be updated:" if would else "Updated:")
        lines += [f"  {u.family.email}: {'; '.join(u.changes)}" for u in report.updated[:MAX_LISTED_UPDATES]]
        if len(report.updated) > MAX_LISTED_UPDATES:
            lines.append(f"  ... and {_n(len(report.updated) - MAX_LISTED_UPDATES)} more")
    if report.notes:
        lines += ["", "Notes:"] + [f"  {note}" for note in report.notes]
    return lines


def _rejected(report, skip_invalid: bool) -> list[str]:
    if not report.rejected:
        return []
    lines = ["", "Rejected rows:" if skip_invalid else
             "Rejected rows (fix them in the file, or rerun with --skip-invalid to import the other rows):"]
    lines += [f"  {bad}" for bad in report.rejected]
    if not skip_invalid and any(bad.reason.startswith("unknown language") for bad in report.rejected):
        lines.append(f"  (with --skip-invalid, a family whose language is unknown is imported in "
                     f"{_language(report.default_language)}, the publication's default language)")
    return lines


def unknown_fix(field: str, value: str, audiences_file: str) -> str:
    """What to do about a value nobody knows, in words."""
    if field == "school":
        return f"add '{value}' under schools: in {audiences_file}, then re-import"
    if field == "grade":
        return f"grades are {', '.join(GRADES)}; correct it in the roster, then re-import"
    if field == "topic":
        return f"topics are {', '.join(TOPICS)}; correct it in the roster, then re-import"
    return "write a language name (Spanish) or code (es) in the roster, then re-import"


def _families(count: int) -> str:
    return f"{_n(count)} {'family' if count == 1 else 'families'}"


def _rows(rows: list[int], shown: int = 5) -> str:
    listed = ", ".join(str(r) for r in rows[:shown])
    more = f" and {_n(len(rows) - shown)} more" if len(rows) > shown else ""
    return f"row{'s' if len(rows) > 1 else ''} {listed}{more}"


def _language(code: str) -> str:
    return f"{language_name(code)} ({code})"


def when(moment) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def subscriber_report(s, school_name, publications: dict[str, bool] | None = None) -> list[str]:
    """`publications`: {slug: whether the family gets it}."""
    rows = [
        ("name", s.name or "-"), ("status", s.status), ("language", f"{s.language} ({language_name(s.language)})"),
        ("schools", ", ".join(f"{school_name(x)} ({x})" for x in s.schools) or "-"),
        ("grades", ", ".join(s.grades) or "-"),
        ("topics", "every topic (new ones too)" if s.all_topics else ", ".join(s.topics) or "-"),
        *(("unknown", f"{f} '{value}' (kept as the roster wrote it)") for f, value in s.unknown),
        ("source", s.source), ("consent", when(s.consent_at)),
        ("preferences", when(s.preferences_at) if s.preferences_at else "not chosen by the family yet"),
        ("created", when(s.created_at)), ("updated", when(s.updated_at)),
    ]
    if publications:
        rows.insert(2, ("gets", ", ".join(slug for slug, gets in publications.items() if gets) or "no publication"))
    lines = [s.email] + [f"  {label:<12}{value}" for label, value in rows] + ["", "History:"]
    for change in s.history:
        step = f"{change.old_status or '(new)'} -> {change.new_status}"
        step += f" ({change.publication})" if change.publication else ""
        reason = f"  {change.reason}" if change.reason else ""
        lines.append(f"  {when(change.changed_at)}  {step:<28} by {change.changed_by}{reason}")
    return lines


def segment_report(segment, counts, school_name, audiences_file: str = "audiences.yaml") -> list[str]:
    rule = segment.rule.describe() if segment.rule else "every family"
    lines = [f"{segment.name}: {segment.description}" if segment.description else segment.name,
             f"  rule: {rule}", "",
             f"{_n(counts.total)} subscribed {'family' if counts.total == 1 else 'families'} in this segment."]
    if counts.total:
        lines += ["", "By language:"]
        lines += [f"  {code:<8}{language_name(code):<24}{_n(n):>8}" for code, n in counts.by_language.items()]
        lines += ["", "By school (a family with children in two schools counts in both):"]
        lines += [f"  {school_name(x) if x else '(no school)':<40}{_n(n):>8}" for x, n in counts.by_school.items()]
        lines += [f"  {'unknown school: ' + value:<40}{_n(n):>8}  -> {unknown_fix('school', value, audiences_file)}"
                  for value, n in counts.unknown.get("school", {}).items()]
        others = [(f, value, n) for f, values in counts.unknown.items() if f != "school" for value, n in values.items()]
        if others:
            lines += ["", "Other values kept as the roster wrote them:"]
            lines += [f"  {f'unknown {f}: {value}':<40}{_n(n):>8}  -> {unknown_fix(f, value, audiences_file)}"
                      for f, value, n in others]
    lines.append("")
    if counts.excluded_total:
        parts = ", ".join(f"{_n(n)} {status}" for status, n in counts.excluded.items())
        lines.append(f"Excluded: {_n(counts.excluded_total)} suppressed addresses match this segment "
                     f"and are never emailed ({parts}).")
    else:
        lines.append("Excluded: none (no unsubscribed, bounced or complained address matches).")
    return lines


def segment_list(audiences, counts_by_name: dict, publication: str | None = None) -> list[str]:
    width = max((len(name) for name in audiences.segments), default=10) + 2
    lines = [f"{'segment':<{width}}{'families':>9}{'excluded':>10}  description"]
    for name, segment in audiences.segments.items():
        if name not in counts_by_name:           # another publication's segment
            continue
        counts = counts_by_name[name]
        scope = f"  (only {segment.publication})" if segment.publication and not publication else ""
        lines.append(f"{name:<{width}}{_n(counts.total):>9}{_n(counts.excluded_total):>10}  {segment.description}"
                     f"{scope}")
    lines.append("")
    if publication:
        lines.append(f"Families: those who get {publication} (not those who left it); segments only for another "
                     "publication are left out.")
    else:
        lines.append("Families: every subscribed family of the segment (of a segment only for one publication: "
                     "those who get it); --publication SLUG counts one publication's reach.")
    lines.append("Excluded: unsubscribed, bounced or complained addresses that match; they are never emailed.")
    lines.append("Details: audience show NAME")
    return lines


def suppress_report(report) -> list[str]:
    lines = [f"{report.source.removeprefix('suppress:')}:"]
    for label, count, note in (("newly suppressed", len(report.suppressed), ""),
                               ("status changed", len(report.changed), ""),
                               ("added as suppressed", len(report.added),
                                "  (were not in the store; no import can subscribe them)"),
                               ("already suppressed", report.unchanged, ""),
                               ("rejected lines", len(report.rejected), "")):
        lines.append(f"  {label:<20}{_n(count):>8}{note}")
    lines += [f"  {email}: subscribed -> {status}" for email, status in report.suppressed]
    lines += [f"  {email}: {old} -> {new}" for email, old, new in report.changed]
    if report.rejected:
        lines += ["", "Rejected lines (not suppressed):"] + [f"  {bad}" for bad in report.rejected]
    return lines
