"""reach: article views and shares per day, OA followers per day

Revision ID: 0009_reach
Revises: 0008_first_month_b
Create Date: 2026-12-06 06:30:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0009_reach'
down_revision: Union[str, Sequence[str], None] = '0008_first_month_b'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'article_stat',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('views', sa.Integer(), nullable=False),
        sa.Column('shares', sa.Integer(), nullable=False),
        sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('article_id', 'day'),
    )
    with op.batch_alter_table('article_stat', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_stat_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_stat_day'), ['day'], unique=False)
    op.create_table(
        'oa_stat',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('followers', sa.Integer(), nullable=False),
        sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('day'),
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('oa_stat')
    with op.batch_alter_table('article_stat', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_article_stat_day'))
        batch_op.drop_index(batch_op.f('ix_article_stat_article_id'))
    op.drop_table('article_stat')
