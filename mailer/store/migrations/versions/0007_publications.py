"""Publications: several offices in one store. Subscriptions per publication; the send log
and delivery events keyed by "<publication>/<issue>".

Families need no move: a publication with `default_subscribe: true` (the default) reaches every
subscribed family without a subscriptions row for it, so today's families keep getting today's
publication. Before this, a store's send log held one publication's issues: every send-log row
and delivery event of issue X becomes "<publication>/X". Which publication that was: the
`-x publication=SLUG` argument of `alembic upgrade`, else $NEWSLETTER_PUBLICATION, else the
only publication in newsletters/ (run from the project folder). A store with history and
several publications in newsletters/ and neither setting stops with the command to run
(a store with no send log yet needs neither).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""
from pathlib import Path

from alembic import context, op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

send_log = sa.table("send_log", sa.column("issue", sa.String))
delivery_events = sa.table("delivery_events", sa.column("issue", sa.String))


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("publication", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('subscribed', 'unsubscribed')", name="ck_subscriptions_status"),
    )
    op.create_index("ix_subscriptions_publication_status", "subscriptions", ["publication", "status"])
    # plain ALTER TABLE (never batch mode on SQLite: see 0005)
    op.add_column("status_history", sa.Column("publication", sa.String(64), nullable=True))
    bind = op.get_bind()
    if not _has_history(bind):
        return
    slug = _legacy_publication()
    for table in (send_log, delivery_events):
        bind.execute(table.update().where(~table.c.issue.contains("/"), table.c.issue != "")
                     .values(issue=sa.literal(slug + "/") + table.c.issue))


def downgrade() -> None:
    for table in (send_log, delivery_events):
        op.get_bind().execute(sa.text(f"UPDATE {table.name} SET issue = substr(issue, instr(issue, '/') + 1) "
                                      "WHERE issue LIKE '%/%'") if op.get_bind().dialect.name == "sqlite" else
                              sa.text(f"UPDATE {table.name} SET issue = split_part(issue, '/', 2) "
                                      "WHERE issue LIKE '%/%'"))
    op.drop_column("status_history", "publication")
    op.drop_index("ix_subscriptions_publication_status", "subscriptions")
    op.drop_table("subscriptions")


def _has_history(bind) -> bool:
    return any(bind.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in (send_log, delivery_events))


def _legacy_publication() -> str:
    """The publication the families and history in this store belong to (see the docstring)."""
    from common.errors import StoreError
    given = (context.get_x_argument(as_dictionary=True).get("publication")
             or context.config.attributes.get("publication") or "")
    if given:
        return given.strip()
    from blocks.content_tree import ROOT, publication_folders, slug_of
    slugs = sorted({slug_of(folder) for folder in publication_folders(ROOT)} - {None})
    if len(slugs) == 1:
        return slugs[0]
    found = f"publications {', '.join(slugs)} in {Path(ROOT).resolve()}" if slugs else \
        f"no publication in {Path(ROOT).resolve()}"
    raise StoreError(f"this store has families and history from before publications existed, and there are {found}: "
                     "which publication do they belong to?",
                     "name it once: NEWSLETTER_PUBLICATION=equity python compose.py audience list (or "
                     "alembic -x publication=equity upgrade head), from the project folder")
