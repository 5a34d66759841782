"""installation row: the go-live date

Revision ID: 0008_first_month_b
Revises: 0007_web_console
Create Date: 2026-12-06 06:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0008_first_month_b'
down_revision: Union[str, Sequence[str], None] = '0007_web_console'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'installation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('go_live_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    # An installation already in use went live when its first unit or submission was stored
    # (the first start imports the default units): its months stay tracked after this upgrade.
    # A new, empty database gets the row at the first start of `serve`.
    op.execute(
        """
        INSERT INTO installation (id, go_live_at, created_at)
        SELECT 1, first_seen, first_seen FROM (
            SELECT MIN(t) AS first_seen FROM (
                SELECT MIN(created_at) AS t FROM unit
                UNION ALL
                SELECT MIN(received_at) AS t FROM submission
            ) AS candidates
        ) AS earliest
        WHERE first_seen IS NOT NULL
        """
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('installation')
