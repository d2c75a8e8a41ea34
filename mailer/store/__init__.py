"""The subscriber store: SQLite by default, PostgreSQL by URL ($NEWSLETTER_DB).

engine.py      where the store is, connecting, applying migrations on open
tables.py      every table (SQLAlchemy Core), one metadata; change only with a new migration in migrations/versions/
records.py     plain records handed out (no SQLAlchemy objects escape the store)
subscribers.py Store: look up, stream recipients, change status with history (entry point)
queries.py     the read queries behind Store
events.py      delivery events (webhook, links) and the status changes they cause
rules.py       segment rules as small trees that compile to one SQL condition
export.py      CSV export, streaming (cells safe to open in Excel)
facts.py       facts about the store itself (the publication of links sent before publications)
writes.py      bulk writes for imports: replace value rows, insert at the driver
"""
