"""unit successors: every unit that took over an ended unit

Revision ID: 0004_units_map
Revises: 0003
Create Date: 2026-12-06 06:40:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0004_units_map'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'unit_successor',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('successor_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['successor_id'], ['unit.id']),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('unit_id', 'successor_id'),
    )
    with op.batch_alter_table('unit_successor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_successor_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_unit_successor_successor_id'), ['successor_id'], unique=False
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('unit_successor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_successor_successor_id'))
        batch_op.drop_index(batch_op.f('ix_unit_successor_unit_id'))
    op.drop_table('unit_successor')
