"""`compose.py audience ...`: the segments of audiences.yaml and whom each one reaches."""
from __future__ import annotations

import click

from mailer.commands.options import audiences_option, echo_lines as _echo, open_store as _open


@click.group()
def audience():
    """Segments from audiences.yaml, with who each one reaches."""


@audience.command("list")
@audiences_option
def list_(audiences_path):
    """Every segment with its number of families and of excluded (suppressed) addresses."""
    from mailer.audiences.loader import load_audiences
    from mailer.reports.text import segment_list

    audiences = load_audiences(audiences_path)
    with _open() as store:
        counts = {name: store.count(segment) for name, segment in audiences.segments.items()}
    _echo(segment_list(audiences, counts))


@audience.command("show")
@click.argument("name")
@audiences_option
def show_segment(name: str, audiences_path):
    """Who a segment reaches: families per language and per school, and who is excluded and why.

    Families whose school (grade, topic, language) the roster gave but audiences.yaml does not
    know are listed on their own line, e.g. "unknown school: Whiting Lane", with the fix.
    """
    from common.yaml_source import display_path
    from mailer.audiences.loader import load_audiences
    from mailer.reports.text import segment_report

    audiences = load_audiences(audiences_path)
    segment = audiences.segment(name)
    with _open() as store:
        counts = store.count(segment)
    _echo(segment_report(segment, counts, audiences.school_name, display_path(audiences.path)))
