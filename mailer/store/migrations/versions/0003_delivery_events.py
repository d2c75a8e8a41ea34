"""Delivery events reported by SendGrid's event webhook (deduplicated on sg_event_id).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.String(100), nullable=False, unique=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("issue", sa.String(100), nullable=False, server_default=""),
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="SET NULL")),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_delivery_events_issue_event", "delivery_events", ["issue", "event"])


def downgrade() -> None:
    op.drop_index("ix_delivery_events_issue_event", "delivery_events")
    op.drop_table("delivery_events")
