"""`--publication` for the roster import and opt-ins (the publications themselves:
workflows/installed_publications.py)."""
from __future__ import annotations

import click

publication_option = click.option(
    "--publication", "publication_names", multiple=True, metavar="SLUG",
    help="Subscribe the families to this publication (its folder in newsletters/, e.g. equity). Repeatable. "
         "Default: every publication with default_subscribe: true (they reach every family anyway).")
