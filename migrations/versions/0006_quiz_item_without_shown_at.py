"""quiz item without shown_at: the answer form carries when its page was shown, signed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quiz_item', schema=None) as batch_op:
        batch_op.drop_column('shown_at')


def downgrade():
    with op.batch_alter_table('quiz_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('shown_at', sa.DateTime(timezone=True), nullable=True))
