"""Temporary refusals: how many times in a row a family was sent back to the queue.

A family refused for now (SMTP 451/421/452, greylisting) goes back to the queue with a
not-before time (send_log.lease_until on a `failed` row) instead of holding its batch; this
counts those refusals, so that the retry schedule (SMTP_RETRIES, SMTP_RETRY_DELAY) bounds
them whichever run, worker or rerun after a crash takes the family again.

Revision ID: 0012_send_deferrals
Revises: 0011_scheduled_sends
Create Date: 2026-12-07
"""
from alembic import op
import sqlalchemy as sa

revision = "0012_send_deferrals"
down_revision = "0011_scheduled_sends"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("send_log") as batch:
        batch.add_column(sa.Column("deferrals", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("send_log") as batch:
        batch.drop_column("deferrals")
