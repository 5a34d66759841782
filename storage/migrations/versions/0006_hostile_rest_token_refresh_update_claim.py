"""zalo token: refresh in flight, refresh outcome unknown; telegram update: claimed

Revision ID: 0006_hostile_rest
Revises: 0005_instances
Create Date: 2026-12-06 06:20:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0006_hostile_rest'
down_revision: Union[str, Sequence[str], None] = '0005_instances'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('zalo_token') as batch:
        batch.add_column(
            sa.Column('refresh_started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch.add_column(
            sa.Column('refresh_unknown_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table('telegram_update') as batch:
        batch.add_column(
            sa.Column('claimed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('telegram_update') as batch:
        batch.drop_column('claimed_at')
    with op.batch_alter_table('zalo_token') as batch:
        batch.drop_column('refresh_unknown_at')
        batch.drop_column('refresh_started_at')
