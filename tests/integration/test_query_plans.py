"""Every statement of the answer loop and the dashboard is planned without a full scan.

The pages are driven through the test client while every statement (with its parameters)
is recorded; each one is then EXPLAINed on the same database. SQLite must not ``SCAN`` the
attempt or card tables; PostgreSQL (sequential scans disabled, so any usable index wins
however small the tables) must not read them with a Seq Scan or an index scan without a
condition.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from quizapp.extensions import db
from tests.integration.helpers import answer
from tests.integration.helpers import sync_test_bank

GUARDED = ("attempt", "card")


@pytest.fixture
def recorded(app, database) -> Iterator[list[tuple[str, object]]]:
    statements: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if re.match(r"\s*(SELECT|UPDATE|DELETE|WITH)\b", statement, re.IGNORECASE):
            statements.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def _sqlite_problems(plan: list[tuple]) -> list[str]:
    pattern = re.compile(rf"^SCAN ({'|'.join(GUARDED)})\b")
    return [row[-1] for row in plan if pattern.match(row[-1])]


def _postgres_problems(node: dict) -> list[str]:
    found = []
    if node.get("Relation Name") in GUARDED:
        kind = node["Node Type"]
        if kind == "Seq Scan" or (kind.startswith("Index") and "Index Cond" not in node):
            found.append(f"{kind} on {node['Relation Name']}")
    for child in node.get("Plans", []):
        found += _postgres_problems(child)
    return found


def full_scans(statement: str, parameters: object) -> list[str]:
    """The full scans of guarded tables in the plan of one recorded statement."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        plan = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
        return _sqlite_problems(plan)
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
    if isinstance(parameters, tuple):  # a prepared statement, numbered ($1, $2...)
        from psycopg import RawCursor

        with RawCursor(connection.connection.dbapi_connection) as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {statement}", parameters)
            rows = cursor.fetchall()
    else:
        rows = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {statement}",
                                          parameters).all()
    plan = rows[0][0] if not isinstance(rows[0][0], str) else json.loads(rows[0][0])
    return _postgres_problems(plan[0]["Plan"])


def _check(statements: list[tuple[str, object]]) -> None:
    for table in GUARDED:  # the pages did read the guarded tables
        assert any(re.search(rf"\b(FROM|JOIN|UPDATE) {table}\b", s) for s, _ in statements)
    problems = {}
    for statement, parameters in statements:
        if found := full_scans(statement, parameters):
            problems[" ".join(statement.split())[:200]] = found
    assert not problems, json.dumps(problems, indent=1)


def _play(client, quiz_id: int, answers: int) -> None:
    for position in range(1, answers + 1):
        assert client.get(f"/quiz/{quiz_id}/q/{position}").status_code == 200
        response = answer(client, quiz_id, position)
        assert response.status_code == 302
        assert client.get(response.headers["Location"]).status_code == 200


def test_answer_loop_uses_indexes(client, auth, recorded):
    sync_test_bank()
    auth.register()
    recorded.clear()  # the bank sync and sign-up are not the hot path
    start = client.post("/quiz/start")
    quiz_id = int(re.search(r"/quiz/(\d+)/", start.headers["Location"]).group(1))
    assert client.get(f"/quiz/{quiz_id}").status_code == 302
    _play(client, quiz_id, 3)
    assert len(recorded) > 20
    _check(recorded)


def test_dashboard_and_summary_use_indexes(client, auth, recorded):
    sync_test_bank()
    auth.register()
    start = client.post("/quiz/start")
    quiz_id = int(re.search(r"/quiz/(\d+)/", start.headers["Location"]).group(1))
    _play(client, quiz_id, 5)
    recorded.clear()
    assert client.get("/").status_code == 200
    assert client.get(f"/quiz/{quiz_id}/summary").status_code == 200
    _check(recorded)


def test_a_full_scan_is_detected(client, auth, recorded):
    """The check itself can fail: a query on an unindexed column is reported."""
    sync_test_bank()
    auth.register()
    recorded.clear()
    db.session.execute(db.text("SELECT id FROM attempt WHERE duration_ms > 5"))
    assert recorded
    assert full_scans(*recorded[-1])


def test_dashboard_plans_hold_when_statistics_mislead(tmp_path):
    """SQLite with ANALYZE statistics that call attempt.quiz_id useless (all NULL, as in a
    bulk-loaded history) still reads the recent quizzes through indexes."""
    import random

    from quizapp import create_app
    from quizapp.bank.loader import load_bank
    from quizapp.services import accounts
    from quizapp.services import quizzes
    from quizapp.services import reports
    from quizapp.services.bank_sync import sync_bank
    from tests.conftest import NOW
    from tests.conftest import TEST_BANK
    from tests.conftest import make_config

    app = create_app(make_config(f"sqlite:///{tmp_path}/stats.db", {},
                                 STATIC_BUILD_DIR=str(tmp_path / "static")))
    with app.app_context():
        db.create_all()
        sync_bank(load_bank(TEST_BANK), NOW)
        user = accounts.register_user("stats@example.com", "a-long-passphrase-1", "S", NOW)
        quizzes.start_daily_review(user, NOW, random.Random(1))
        db.session.commit()
        db.session.execute(db.text("ANALYZE"))
        db.session.execute(db.text("DELETE FROM sqlite_stat1 WHERE tbl = 'attempt'"))
        db.session.execute(db.text(
            "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES "
            "('attempt', 'ix_attempt_quiz_id', '5000000 5000000'), "
            "('attempt', 'ix_attempt_user_created', '5000000 500 1'), "
            "('attempt', 'ix_attempt_user_question', '5000000 500 5'), "
            "('attempt', 'ix_attempt_question_id', '5000000 2500')"))
        db.session.execute(db.text("ANALYZE sqlite_schema"))  # reload the statistics
        db.session.commit()
        statements: list[tuple[str, object]] = []

        def record(_conn, _cursor, statement, parameters, _context, _many) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append((statement, parameters))

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            reports.dashboard(user, NOW, None)
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
        problems = [(s[:120], found) for s, p in statements if (found := full_scans(s, p))]
        assert not problems, problems
        db.session.remove()
        db.engine.dispose()
