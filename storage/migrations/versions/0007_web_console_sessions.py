"""web console: leaders, one-time login links, browser sessions

Revision ID: 0007_web_console
Revises: 0006_hostile_rest
Create Date: 2026-12-06 06:45:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel  # noqa: F401


# revision identifiers, used by Alembic.
revision: str = '0007_web_console'
down_revision: Union[str, Sequence[str], None] = '0006_hostile_rest'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        'leader',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('full_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('position', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column('telegram_user_id', sa.BigInteger(), nullable=True),
        sa.Column('active_from', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column('active_to', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_leader_telegram_user_id', 'leader', ['telegram_user_id'])
    for table in ('web_login_token', 'web_session'):
        extra = (
            [
                sa.Column('requested_via', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
                sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
                sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
                sa.Column('used_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
                sa.Column('used_from', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
            ]
            if table == 'web_login_token'
            else [
                sa.Column('display_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
                sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
                sa.Column('expires_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
                sa.Column('revoked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
                sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            ]
        )
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
            sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
            sa.Column('editor_id', sa.Integer(), nullable=True),
            sa.Column('leader_id', sa.Integer(), nullable=True),
            *extra,
            sa.ForeignKeyConstraint(['editor_id'], ['editor.id']),
            sa.ForeignKeyConstraint(['leader_id'], ['leader.id']),
            sa.PrimaryKeyConstraint('id'),
            sa.UniqueConstraint('token_hash'),
        )
        op.create_index(f'ix_{table}_editor_id', table, ['editor_id'])
        op.create_index(f'ix_{table}_leader_id', table, ['leader_id'])
    op.create_index('ix_web_login_token_created_at', 'web_login_token', ['created_at'])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('web_session')
    op.drop_table('web_login_token')
    op.drop_table('leader')
