"""Families who follow every topic without a row per topic; roster values nobody knows, kept.

subscribers.all_topics: the family follows every topic, new ones too (an imported family
until it chooses). Families who never chose and have a row for each of today's six topics
get it, and those rows go. subscriber_unknown: a school, grade, topic or language a roster
gave that audiences.yaml or the mailer does not know, kept as written.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The topics when this migration was written (mailer/values/topics.py may grow later).
TOPICS = ("events", "foodshare", "mental-health", "nutrition", "announcements", "resources")

subscribers = sa.table("subscribers", sa.column("id", sa.Integer), sa.column("preferences_at"),
                       sa.column("all_topics", sa.Boolean))
topics = sa.table("subscriber_topics", sa.column("subscriber_id", sa.Integer), sa.column("topic", sa.String))


def upgrade() -> None:
    # A plain ALTER TABLE, never batch mode: on SQLite a batch copy drops `subscribers`, and with
    # foreign keys on that DROP deletes every school, grade, topic, history and send-log row
    # (ON DELETE CASCADE). tests/mailer/test_store.py checks the rows survive.
    op.add_column("subscribers", sa.Column("all_topics", sa.Boolean, nullable=False, server_default=sa.false()))
    every = (sa.select(sa.func.count()).select_from(topics)
             .where(topics.c.subscriber_id == subscribers.c.id, topics.c.topic.in_(TOPICS)).scalar_subquery())
    op.execute(subscribers.update().where(subscribers.c.preferences_at.is_(None), every == len(TOPICS))
               .values(all_topics=True))
    op.execute(topics.delete().where(topics.c.subscriber_id.in_(
        sa.select(subscribers.c.id).where(subscribers.c.all_topics))))
    op.create_table(
        "subscriber_unknown",
        sa.Column("subscriber_id", sa.Integer, sa.ForeignKey("subscribers.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("field", sa.String(16), primary_key=True),
        sa.Column("value", sa.String(200), primary_key=True),
    )
    op.create_index("ix_subscriber_unknown_field_value", "subscriber_unknown", ["field", "value"])


def downgrade() -> None:
    op.drop_index("ix_subscriber_unknown_field_value", "subscriber_unknown")
    op.drop_table("subscriber_unknown")
    for topic in TOPICS:
        op.execute(topics.insert().from_select(
            ["subscriber_id", "topic"],
            sa.select(subscribers.c.id, sa.literal(topic)).where(subscribers.c.all_topics)))
    op.drop_column("subscribers", "all_topics")  # plain ALTER TABLE (SQLite 3.35+), see upgrade()
