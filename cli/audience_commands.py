"""`compose.py audience ...`: the segments of audiences.yaml and whom each one reaches."""
from __future__ import annotations

import click

from common.errors import NewsletterError
from cli.options import audiences_option, audiences_path_of, echo_lines as _echo, open_store as _open

publication_option = click.option(
    "--publication", metavar="SLUG",
    help="Count only the families who get this publication (its folder in newsletters/, e.g. food), as a send "
         "of its issues reaches them. Default: the segment's own publication (publication: in audiences.yaml) "
         "if it has one, else every family of the segment.")


@click.group()
def audience():
    """Segments from audiences.yaml, with who each one reaches."""


@audience.command("list")
@audiences_option
@publication_option
def list_(audiences_path, publication):
    """Every segment with its number of families and of excluded (suppressed) addresses."""
    from mailer.audiences.audiences_file import load_audiences
    from mailer.reports.text import segment_list

    audiences = load_audiences(audiences_path_of(audiences_path))
    reach = _Reach(publication)
    segments = {name: reach(segment) for name, segment in audiences.segments.items()
                if not (publication and segment.publication not in (None, publication))}
    with _open() as store:
        counts = {name: store.count(segment) for name, segment in segments.items()}
    _echo(segment_list(audiences, counts, publication))


@audience.command("show")
@click.argument("name")
@audiences_option
@publication_option
def show_segment(name: str, audiences_path, publication):
    """Who a segment reaches: families per language and per school, and who is excluded and why.

    Families whose school (grade, topic, language) the roster gave but audiences.yaml does not
    know are listed on their own line, e.g. "unknown school: Whiting Lane", with the fix.
    With --publication, only the families who get that publication (not those who left it).
    """
    from common.yaml_source import display_path
    from mailer.audiences.audiences_file import load_audiences
    from mailer.reports.text import segment_report

    audiences = load_audiences(audiences_path_of(audiences_path))
    segment = _Reach(publication)(audiences.segment(name))
    with _open() as store:
        counts = store.count(segment)
    _echo(segment_report(segment, counts, audiences.school_name, display_path(audiences.path)))


class _Reach:
    """A segment as a send of `publication` (or of the segment's own one) reaches it: only the
    families who follow that publication; the segment as it is when there is neither."""

    def __init__(self, publication: str | None):
        self.publication, self._found = publication, None

    def __call__(self, segment):
        from workflows.installed_publications import all_publications, named_publications
        slug = self.publication or segment.publication
        if slug is None:
            return segment
        if segment.publication not in (None, slug):
            raise NewsletterError(f"segment '{segment.name}' is only for the publication '{segment.publication}'",
                                  f"leave out --publication, or give --publication {segment.publication}")
        if self._found is None:                 # newsletters/ read once for all segments
            self._found = all_publications()
        [found] = named_publications([slug], self._found)
        return segment.of(slug, found.default_subscribe)
