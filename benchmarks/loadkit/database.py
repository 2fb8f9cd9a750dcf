"""Fresh benchmark databases: a temporary SQLite file, or a PostgreSQL database of our own."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/test")


@contextlib.contextmanager
def fresh_database(kind: str, name: str) -> Iterator[str]:
    """Yield a SQLAlchemy URL of an empty database, removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="quizapp-bench-") as tmp:
            yield f"sqlite:///{tmp}/{name}.db"
        return
    database = f"quizapp_bench_{name}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    base = PG_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"postgresql+psycopg://{base.removeprefix('postgresql://')}/{database}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def prepare(url: str, sandboxed: bool = True) -> int:
    """Create the schema and load the full bank; return the number of live questions.

    ``sandboxed=False`` retires the code and SQL questions (graded by running code) after
    loading, to measure the answer loop without the sandbox's run time.
    """
    from quizapp import create_app
    from quizapp.bank.loader import load_bank
    from quizapp.extensions import db
    from quizapp.services.bank_sync import sync_bank

    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "bench",
                      "SQLALCHEMY_DATABASE_URI": url, "REQUEST_LOG": "off"})
    with app.app_context():
        db.create_all()
        report = sync_bank(load_bank(ROOT / "questions"), datetime.now(UTC))
        live = len(report.added)
        if not sandboxed:
            from sqlalchemy import update

            from quizapp.models import Question

            retired = db.session.execute(update(Question).where(Question.type.in_(
                ("code", "sql"))).values(retired_at=datetime.now(UTC)))
            db.session.commit()
            live -= retired.rowcount
        db.session.remove()
        db.engine.dispose()
    return live
