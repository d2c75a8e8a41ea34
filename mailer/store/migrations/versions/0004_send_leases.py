"""Send leases: which worker holds a claimed send-log row, and until when.

Several `send` processes may share one send: a worker claims rows for itself (owner) for a
while (lease_until); a crashed worker's rows are taken over once the lease has expired.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("send_log") as batch:
        batch.add_column(sa.Column("owner", sa.String(64), nullable=False, server_default=""))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("send_log") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("owner")
