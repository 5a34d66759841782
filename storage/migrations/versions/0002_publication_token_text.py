"""publication.zalo_token as TEXT (Zalo tokens can exceed 255 characters)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.alter_column(
            'zalo_token',
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
            type_=sa.Text(),
            existing_nullable=True,
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.alter_column(
            'zalo_token',
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=255),
            existing_nullable=True,
        )
