"""Prepared statements on PostgreSQL run on libpq directly (``pg_direct``), as psycopg would."""

from __future__ import annotations

import os

import pytest
from psycopg import IsolationLevel
from psycopg import RawCursor
from sqlalchemy import create_engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError

from quizapp import database
from quizapp import pg_direct
from tests.integration.test_prepared import BY_NAME
from tests.integration.test_prepared import INSERT
from tests.integration.test_prepared import PG_URL
from tests.integration.test_prepared import _row
from tests.integration.test_prepared import schema_engine
from tests.integration.test_prepared import things

SCHEMA = f"direct_test_{os.getpid()}"


@pytest.fixture
def engine():
    with schema_engine(SCHEMA) as engine:
        yield engine


def _prepared_names(conn) -> list[str]:
    query = text("SELECT name FROM pg_prepared_statements ORDER BY name")
    return conn.execute(query).scalars().all()


def test_each_statement_is_prepared_once_per_connection_and_psycopg_prepares_none(engine):
    with engine.begin() as conn:
        INSERT.run(_row("a"), conn)
    with engine.connect() as conn:
        for _ in range(8):  # psycopg itself would prepare a statement from its 5th run
            assert BY_NAME.first({"name": "a"}, conn).name == "a"
            assert conn.execute(select(things.c.name)).scalars().all() == ["a"]
        names = _prepared_names(conn)
        assert len(names) == 2 and all(n.startswith("quizapp_") for n in names), names


def test_a_rollback_leaves_the_statements_prepared_and_usable(engine):
    """psycopg's rollback deallocates every statement it prepared itself: it prepares none."""
    with pytest.raises(IntegrityError), engine.begin() as conn:
        INSERT.run(_row("twin"), conn)
        INSERT.run(_row("twin"), conn)
    with engine.begin() as conn:
        INSERT.run(_row("twin"), conn)
        assert BY_NAME.first({"name": "twin"}, conn).name == "twin"
        assert len(_prepared_names(conn)) == 2


def test_statements_dropped_on_the_server_are_prepared_again(engine):
    with engine.begin() as conn:
        INSERT.run(_row("kept"), conn)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        assert BY_NAME.first({"name": "kept"}, conn).name == "kept"
        conn.exec_driver_sql("DEALLOCATE ALL")  # as a pooler or another tool may
        assert BY_NAME.first({"name": "kept"}, conn).name == "kept"
        assert len(_prepared_names(conn)) == 1


def test_rows_and_column_types_match_psycopgs_cursor(engine):
    with engine.begin() as conn:
        INSERT.run(_row("same", payload={"x": [1, 2.5, None]}, score=None), conn)
    with engine.connect() as conn:
        form = BY_NAME._form(conn.dialect)
        pooled = conn.connection
        direct = pg_direct.direct_for(pooled.info, pooled.dbapi_connection)
        assert direct is not None
        result = pg_direct.execute(direct, form.sql, ("same",))
        cursor = RawCursor(pooled.dbapi_connection)
        cursor.execute(form.sql, ("same",))
        assert result.fetchall() == cursor.fetchall()
        assert [d[1] for d in result.description] == [d[1] for d in cursor.description]
        assert result.rowcount == cursor.rowcount == 1


def test_outside_autocommit_a_statement_begins_psycopgs_transaction(engine):
    with engine.connect() as conn:
        transaction = conn.begin()
        INSERT.run(_row("undone"), conn)
        dbapi = conn.connection.dbapi_connection
        assert dbapi.info.transaction_status.name == "INTRANS"
        transaction.rollback()
        assert conn.execute(select(things.c.name)).all() == []


def test_a_connection_not_in_utf8_uses_the_cursor(engine):
    with engine.begin() as conn:
        INSERT.run(_row("latin"), conn)
    latin = create_engine(PG_URL, pool_size=1, max_overflow=0, connect_args={
        "options": f"-csearch_path={SCHEMA} -cclient_encoding=LATIN1"})
    database.configure_engine(latin)
    try:
        with latin.connect() as conn:
            assert BY_NAME.first({"name": "latin"}, conn).name == "latin"
            assert conn.connection.info[pg_direct.STATE] is None
            assert _prepared_names(conn) == []
    finally:
        latin.dispose()


def test_in_a_transaction_a_dropped_statement_fails_once_then_is_prepared_again(engine):
    with engine.begin() as conn:
        INSERT.run(_row("t"), conn)
    with engine.connect() as conn:
        assert BY_NAME.first({"name": "t"}, conn).name == "t"
        conn.exec_driver_sql("DEALLOCATE ALL")
        with pytest.raises(DBAPIError, match="does not exist"):
            BY_NAME.first({"name": "t"}, conn)  # the transaction's work may not be retried
        conn.rollback()
        assert BY_NAME.first({"name": "t"}, conn).name == "t"


def test_a_replaced_connection_gets_a_state_of_its_own(engine):
    with engine.begin() as conn:
        INSERT.run(_row("r"), conn)
    with engine.connect() as conn:
        assert BY_NAME.first({"name": "r"}, conn).name == "r"
        old = conn.connection.info[pg_direct.STATE]
        conn.invalidate()  # the pool connects anew on the next statement
        assert BY_NAME.first({"name": "r"}, conn).name == "r"
        new = conn.connection.info[pg_direct.STATE]
        assert new is not old and new.connection is conn.connection.dbapi_connection


@pytest.mark.parametrize(("level", "read_only", "deferrable"), [
    (None, None, None), (IsolationLevel.READ_COMMITTED, None, None),
    (IsolationLevel.SERIALIZABLE, True, True), (IsolationLevel.REPEATABLE_READ, False, False),
])
def test_begin_is_the_statement_psycopg_sends(engine, level, read_only, deferrable):
    with engine.connect() as conn:
        dbapi = conn.connection.dbapi_connection
        conn.rollback()
        dbapi.isolation_level, dbapi.read_only, dbapi.deferrable = level, read_only, deferrable
        assert pg_direct._begin(dbapi) == dbapi._get_tx_start_command()
        dbapi.isolation_level = dbapi.read_only = dbapi.deferrable = None
