"""`compose.py report ISSUE`: who an issue reached, per language and school, and who it did not."""
from __future__ import annotations

import csv
from pathlib import Path

import click

from cli.run_settings import settings_of


@click.command()
@click.argument("issue_dir", type=click.Path(path_type=Path))
@click.option("--out", "out_file", type=click.Path(path_type=Path), default=None,
              help="HTML report to write (default: build/<publication>/<issue>/report.html).")
@click.option("--failures", "show_failures", is_flag=True,
              help="List every family that did not get the issue, with its status and the reason.")
@click.option("--to", "segments", multiple=True, metavar="SEGMENT",
              help="With --failures: the segment(s) the issue was for, so that families no run tried are "
                   "listed too (default: the segments its sends named).")
@click.option("--csv", "csv_file", type=click.Path(path_type=Path), default=None,
              help="With --failures: also write them as CSV (email, language, status, reason, ...).")
def report(issue_dir: Path, out_file: Path | None, show_failures: bool, csv_file: Path | None, segments=()):
    """Reach of an issue per language and per school: sent, delivered, bounced, opened, clicked,
    unsubscribed, and the families it did not reach (rejected, invalid, failed, in doubt, pending)."""
    from mailer.reports.reach import OPENS_CAVEAT, html_page, table
    from workflows import reporting as reach

    settings = settings_of()
    found = reach.report(settings, issue_dir)
    slug, languages, schools = found.issue_key, found.languages, found.schools
    missed = reach.failures(settings, issue_dir, list(segments) or None) if show_failures else []
    if not languages:
        click.echo(f"Nothing has been sent for {slug} yet.")
        return
    click.echo(table(languages, "language"))
    click.echo()
    click.echo(table(schools, "school"))
    click.echo(f"\n{OPENS_CAVEAT}")
    out_file = out_file or Path("build") / slug / "report.html"
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(html_page(slug, languages, schools), encoding="utf-8")
    click.echo(f"Wrote {out_file}")
    if show_failures:
        _print_failures(missed, csv_file)


def _print_failures(missed: list[dict], csv_file: Path | None) -> None:
    from collections import Counter
    by_status = Counter(row["status"] for row in missed)
    click.echo(f"\nFamilies who did not get it: {len(missed)}"
               + (f" ({', '.join(f'{s.replace(chr(95), chr(32))} {n}' for s, n in sorted(by_status.items()))})"
                  if missed else ""))
    for row in missed:
        click.echo(f"  {row['email']:<36} {row['language']:<7} {row['status']:<9} {row['reason']}")
    if csv_file:
        with open(csv_file, "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=["email", "language", "status", "reason", "backend", "updated_at"])
            writer.writeheader()
            writer.writerows(missed)
        click.echo(f"Wrote {csv_file}")
