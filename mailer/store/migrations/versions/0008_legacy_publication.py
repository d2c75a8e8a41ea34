"""The publication of links sent before publications existed, recorded in the store.

Newsletters sent before 0007 carry links whose issue key names no publication ("2021-09-sept-oct").
0007 moved that history to one publication ("<publication>/2021-09-sept-oct": `-x publication=`,
$NEWSLETTER_PUBLICATION or the only publication); this records which, as the store fact
"legacy_publication", so the preference center sends those links to that publication's pages and
never to another office's. It is the publication of the store's first send-log row (else its first
delivery event): 0007 gave every older row that publication. A store that had no history when 0007
ran sent no such links; what this records for it (its first later send's publication, or nothing)
is never asked for.

Revision ID: 0008_legacy_publication
Revises: 0007
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa

revision = "0008_legacy_publication"
down_revision = "0007"
branch_labels = None
depends_on = None

LEGACY_PUBLICATION = "legacy_publication"


def upgrade() -> None:
    facts = op.create_table(
        "store_facts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    bind = op.get_bind()
    for table in ("send_log", "delivery_events"):
        rows = sa.table(table, sa.column("id", sa.Integer), sa.column("issue", sa.String))
        first = bind.execute(sa.select(rows.c.issue).where(rows.c.issue.contains("/"))
                             .order_by(rows.c.id).limit(1)).scalar()
        if first:
            op.bulk_insert(facts, [{"name": LEGACY_PUBLICATION, "value": first.split("/", 1)[0]}])
            return


def downgrade() -> None:
    op.drop_table("store_facts")
