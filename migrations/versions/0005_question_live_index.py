"""question live index: the bank's live questions by topic and difficulty, from the index

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 18:00:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.create_index('ix_question_live', ['retired_at', 'topic_id', 'difficulty'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_index('ix_question_live')
