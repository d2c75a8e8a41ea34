"""The command line's settings: read from the environment once per run of compose.py (on first
need, cached on click's root context), then handed to the workflows. Used by every command module;
--help never reads them, so a wrong setting does not hide a command's help."""
from __future__ import annotations

import click

from common.settings import Settings


def settings_of(ctx: click.Context | None = None) -> Settings:
    """The install's settings: every wrong value at once (ConfigError), before the command does anything."""
    root = (ctx or click.get_current_context()).find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings.from_env()
    return root.obj
