"""Subscribers, their schools/grades/topics, and the append-only status history.

Revision ID: 0001
Revises:
Create Date: 2026-11-20
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

STATUS_CHECK = "status IN ('subscribed', 'unsubscribed', 'bounced', 'complained')"


def _when(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _values_table(name: str, column: str, length: int) -> None:
    op.create_table(
        name,
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column(column, sa.String(length), primary_key=True),
    )
    op.create_index(f"ix_{name}_{column}", name, [column])


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200)),
        sa.Column("language", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        _when("consent_at"),
        _when("preferences_at"),
        _when("created_at", nullable=False),
        _when("updated_at", nullable=False),
        sa.CheckConstraint(STATUS_CHECK, name="ck_subscribers_status"),
    )
    op.create_index("ix_subscribers_status_language", "subscribers", ["status", "language"])
    _values_table("subscriber_schools", "school", 64)
    _values_table("subscriber_grades", "grade", 4)
    _values_table("subscriber_topics", "topic", 64)
    op.create_table(
        "status_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("old_status", sa.String(16)),
        sa.Column("new_status", sa.String(16), nullable=False),
        sa.Column("changed_by", sa.String(200), nullable=False),
        _when("changed_at", nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_status_history_subscriber_id", "status_history", ["subscriber_id"])


def downgrade() -> None:
    for table in ("status_history", "subscriber_topics", "subscriber_grades", "subscriber_schools", "subscribers"):
        op.drop_table(table)
