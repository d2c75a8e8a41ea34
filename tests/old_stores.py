"""Tables as an old version of the store had them, for tests that write a store at an old
migration and upgrade it (the current tables.py has columns those versions lack)."""
from sqlalchemy import column, table

SEND_LOG_0006 = table("send_log", *(column(name) for name in (
    "issue", "subscriber_id", "email", "language", "segment", "backend", "status", "message_id", "created_at",
    "updated_at")))
