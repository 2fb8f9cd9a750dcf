"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect

from quizapp import create_app
from quizapp.extensions import db
from tests.conftest import database_url
from tests.conftest import drop_schema
from tests.conftest import make_config


def test_upgrade_matches_models_and_downgrade_cleans_up(tmp_path, worker_id_safe):
    url, options = database_url(worker_id_safe, "_mig")
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path / 'migrated.db'}"
    app = create_app(make_config(url, options))
    try:
        with app.app_context():
            upgrade()
            with db.engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"compare_type": True})
                diff = compare_metadata(context, db.metadata)
            assert diff == []
            assert {"users", "question", "card", "attempt", "quiz", "quiz_item"} <= set(
                inspect(db.engine).get_table_names())
            downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            db.engine.dispose()
    finally:
        drop_schema(worker_id_safe, "_mig")
