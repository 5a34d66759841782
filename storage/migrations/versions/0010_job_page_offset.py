"""job_run.page_offset: a paged job's progress as a number (the reach sync's cursor), no
longer parsed back out of the human-readable `outcome`

Revision ID: 0010_job_page_offset
Revises: 0009_reach
Create Date: 2026-12-06 09:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0010_job_page_offset'
down_revision: Union[str, Sequence[str], None] = '0009_reach'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('page_offset', sa.Integer(), nullable=True))
    # A sync under way keeps its place: "offset N" was the cursor until now.
    op.execute(
        "UPDATE job_run SET page_offset = CAST(substr(outcome, 8) AS INTEGER) "
        "WHERE key LIKE 'reach:%' AND outcome LIKE 'offset %'"
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.execute(
        "UPDATE job_run SET outcome = 'offset ' || CAST(page_offset AS VARCHAR(20)) "
        "WHERE page_offset IS NOT NULL"
    )
    with op.batch_alter_table('job_run', schema=None) as batch_op:
        batch_op.drop_column('page_offset')
