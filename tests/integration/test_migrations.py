"""The Alembic migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade
from flask_migrate import upgrade
from sqlalchemy import inspect
from sqlalchemy import text

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


def test_upgrade_summarises_answers_given_before_it(tmp_path, worker_id_safe):
    """0004 keeps every answer and back-fills day summaries from them (UTC days)."""
    url, options = database_url(worker_id_safe, "_mig4")
    if url == "sqlite://":
        url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app(make_config(url, options))
    at = "2026-03-0{} 09:00:00+00:00"
    try:
        with app.app_context():
            upgrade(revision="0003")
            with db.engine.begin() as conn:
                conn.execute(text(
                    "INSERT INTO users (id, email, password_hash, display_name, role, daily_goal, "
                    "timezone, created_at) VALUES (1, 'a@b.co', 'x', 'A', 'user', 20, 'UTC', :t)"),
                    {"t": at.format(1)})
                conn.execute(text("INSERT INTO topic (id, slug, domain, title, description) "
                                  "VALUES (1, 't', 'ml', 'T', '')"))
                conn.execute(text(
                    "INSERT INTO question (id, uid, topic_id, type, difficulty, expected_seconds, "
                    "body_md, explanation_md, payload, tags, content_hash, version, source, "
                    "created_at, updated_at) VALUES (1, 'q', 1, 'mcq', 3, 45, 'b', 'e', '{}', "
                    "'[]', 'h', 1, 's', :t, :t)"), {"t": at.format(1)})
                for n, (day, correct) in enumerate([(1, True), (1, False), (2, True)]):
                    conn.execute(text(
                        "INSERT INTO attempt (user_id, question_id, question_version, "
                        "idempotency_key, response, score, correct, duration_ms, hints_used, "
                        "rating, was_new, next_due, created_at) VALUES (1, 1, 1, :k, '{}', 1, "
                        ":c, 1000, 0, 3, :new, :t, :t)"),
                        {"k": f"k{n}", "c": correct, "new": n == 0, "t": at.format(day)})
            upgrade()
            with db.engine.connect() as conn:
                days = conn.execute(text("SELECT answers, correct, new, duration_ms "
                                         "FROM daily_activity ORDER BY day")).all()
                topic_days = conn.execute(text("SELECT answers, rating FROM topic_day "
                                               "ORDER BY day")).all()
                kept = conn.execute(text("SELECT COUNT(*) FROM attempt")).scalar()
            # SQLite rebuilds "users" to add columns; no attempt may cascade away with it.
            assert kept == 3
            assert [tuple(row) for row in days] == [(2, 1, 1, 2000), (1, 1, 0, 1000)]
            assert [tuple(row) for row in topic_days] == [(2, 1500.0), (1, 1500.0)]
            downgrade(revision="base")
            db.engine.dispose()
    finally:
        drop_schema(worker_id_safe, "_mig4")
