"""The running run's ledger of the events it touched, and events looked up by the day they were published.

A batch run reads its input a chunk at a time, each chunk its own pipeline; an event reported in
two chunks is written twice. `run_events` holds, per run, each event id the run wrote once (and
whether the run made it), so the run's counts and its alerts count each event once whatever the
chunking. The run clears its rows when it finishes.

Revision ID: 0007_run_events
Revises: 0006_match_reasons
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_run_events"
down_revision: str | None = "0006_match_reasons"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "run_events",
        sa.Column("run_id", sa.String, primary_key=True),
        sa.Column("event_id", sa.String, primary_key=True),
        sa.Column("new", sa.Boolean, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("run_events")
