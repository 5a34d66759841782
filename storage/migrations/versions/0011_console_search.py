"""The desk's search index (titles and texts folded), the board's covering index and
the units' order key

Revision ID: 0011_console_search
Revises: 0010_job_page_offset
Create Date: 2026-12-06 09:15:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401

from domain.kinds import unit_order_key
from domain.text import search_key


# revision identifiers, used by Alembic.
revision: str = '0011_console_search'
down_revision: Union[str, Sequence[str], None] = '0010_job_page_offset'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BATCH = 2000


def upgrade() -> None:
    """Upgrade schema, then fold every existing submission (storage.search keeps it current)."""
    search = op.create_table(
        'submission_search',
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('folded', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id']),
        sa.PrimaryKeyConstraint('submission_id'),
    )
    submission = sa.table(
        'submission',
        sa.column('id', sa.Integer()),
        sa.column('version', sa.Integer()),
        sa.column('revision', sa.Integer()),
        sa.column('title', sa.Text()),
        sa.column('text', sa.Text()),
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(
            'ix_submission_period_unit_status', ['period', 'unit_id', 'status'], unique=False
        )
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_key', sa.Text(), nullable=False, server_default=''))
        batch_op.create_index('ix_unit_order_key', ['order_key'], unique=False)
    bind = op.get_bind()
    unit = sa.table(
        'unit',
        sa.column('id', sa.Integer()),
        sa.column('kind', sa.String()),
        sa.column('name', sa.String()),
        sa.column('order_key', sa.Text()),
    )
    for row in bind.execute(sa.select(unit.c.id, unit.c.kind, unit.c.name)).all():
        bind.execute(
            sa.update(unit)
            .where(unit.c.id == row.id)
            .values(order_key=unit_order_key(row.kind, row.name))
        )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(submission)
            .where(submission.c.id > last)
            .order_by(submission.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            sa.insert(search),
            [
                {
                    'submission_id': r.id,
                    'version': r.version,
                    'revision': r.revision,
                    'folded': search_key(f"{r.title}\n{r.text}"),
                }
                for r in rows
            ],
        )
        last = rows[-1].id


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('unit', schema=None) as batch_op:
        batch_op.drop_index('ix_unit_order_key')
        batch_op.drop_column('order_key')
    op.drop_table('submission_search')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_period_unit_status')
