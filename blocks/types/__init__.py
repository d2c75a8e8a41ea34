"""One module per block type: NAME, SCHEMA, and optionally prepare() and calendar_entries()."""
