"""Prepared statements run on the DBAPI cursor exactly as SQLAlchemy Core would run them."""

from __future__ import annotations

import contextlib
import os
import weakref
from collections.abc import Iterator
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from datetime import timezone

import pytest
from sqlalchemy import JSON
from sqlalchemy import Boolean
from sqlalchemy import Column
from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import literal
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import IntegrityError

from quizapp import database
from quizapp.models.types import UTCDateTime
from quizapp.prepared import Prepared
from quizapp.prepared import numbered

PG_URL = os.environ.get("POOL_TEST_DATABASE_URL",
                        "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SCHEMA = "prepared_test"
metadata = MetaData()
things = Table(
    "prepared_thing", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("seen_at", UTCDateTime()),
    Column("day", Date),
    Column("payload", JSON),
    Column("ok", Boolean),
    Column("score", Float),
)
INSERT = Prepared(insert(things).values(
    {c: bindparam(c) for c in ("name", "seen_at", "day", "payload", "ok", "score")})
    .returning(things.c.id))
BY_NAME = Prepared(select(things).where(things.c.name == bindparam("name")))
SINCE = Prepared(select(things.c.name, things.c.seen_at).where(
    things.c.seen_at >= bindparam("since"), things.c.ok == literal(True))
    .order_by(things.c.name))
RENAME = Prepared(update(things).where(things.c.id == bindparam("thing")).values(
    name=bindparam("new_name")))
MOMENT = datetime(2026, 3, 2, 9, 30, 15, 123456, tzinfo=UTC)


@contextlib.contextmanager
def pg_schema(schema: str) -> Iterator[None]:
    """A fresh PostgreSQL schema, dropped afterwards."""
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@contextlib.contextmanager
def schema_engine(schema: str, pool_size: int = 1) -> Iterator[Engine]:
    """An engine on a fresh schema holding the test table (``things``)."""
    with pg_schema(schema):
        engine = create_engine(PG_URL, pool_size=pool_size, max_overflow=0,
                               connect_args={"options": f"-csearch_path={schema}"})
        database.configure_engine(engine)
        metadata.create_all(engine)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path):
    if request.param == "postgresql":
        with schema_engine(f"{SCHEMA}_{os.getpid()}") as engine:
            yield engine
        return
    engine = create_engine(f"sqlite:///{tmp_path / 'prepared.db'}")
    database.configure_engine(engine)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def _row(name: str, **values: object) -> dict[str, object]:
    return {"name": name, "seen_at": MOMENT, "day": date(2026, 3, 2),
            "payload": {"choice": ["a", "b"], "n": 2}, "ok": True, "score": 0.75, **values}


def test_values_are_stored_and_read_as_core_stores_and_reads_them(engine):
    with engine.begin() as conn:
        first = INSERT.scalar(_row("first"), conn)
        conn.execute(insert(things).values(_row(
            "second", seen_at=MOMENT.astimezone(timezone(timedelta(hours=5))), ok=False)))
    with engine.connect() as conn:
        core = {r.name: r for r in conn.execute(select(things)).all()}
        prepared = BY_NAME.first({"name": "first"}, conn)
        assert isinstance(first, int) and prepared.id == first
        assert tuple(prepared) == tuple(core["first"])  # the same values, types included
        assert prepared.seen_at == MOMENT and prepared.seen_at.tzinfo is not None
        assert prepared.payload == {"choice": ["a", "b"], "n": 2}
        assert prepared.ok is True and prepared.day == date(2026, 3, 2)
        assert tuple(BY_NAME.first({"name": "second"}, conn)) == tuple(core["second"])
        assert BY_NAME.tuples({"name": "first"}, conn) == [tuple(core["first"])]
        # a comparison against a stored datetime, and a constant bound in the statement
        assert [r.name for r in SINCE.all({"since": MOMENT - timedelta(seconds=1)}, conn)] == [
            "first"]
        assert SINCE.all({"since": MOMENT + timedelta(seconds=1)}, conn) == []
        assert BY_NAME.first({"name": "nobody"}, conn) is None
        assert BY_NAME.scalar({"name": "nobody"}, conn) is None


def test_writes_report_the_rows_they_changed(engine):
    with engine.begin() as conn:
        thing = INSERT.scalar(_row("old"), conn)
        assert RENAME.run({"thing": thing, "new_name": "new"}, conn) == 1
        assert RENAME.run({"thing": thing + 100, "new_name": "none"}, conn) == 0
    with engine.connect() as conn:
        assert conn.execute(select(things.c.name)).scalars().all() == ["new"]


def test_driver_errors_are_sqlalchemys_and_the_transaction_rolls_back(engine):
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        INSERT.run(_row("twin"), conn)
        INSERT.run(_row("twin"), conn)
    assert "twin" in str(caught.value.params)
    with engine.connect() as conn:
        assert conn.execute(select(things.c.name)).all() == []


def test_statement_listeners_see_every_statement(engine):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as conn:
            BY_NAME.all({"name": "x"}, conn)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 1 and seen[0][0].startswith("SELECT")
    assert "x" in (seen[0][1].values() if isinstance(seen[0][1], dict) else seen[0][1])


def test_percent_signs_repeated_and_many_parameters_run_as_core_runs_them(engine):
    """On psycopg the statements go numbered ($1...) to a raw cursor: a literal % (written
    %% in pyformat), a parameter used twice and a long statement must survive that."""
    n = bindparam("n", type_=Integer)
    odd = Prepared(select(literal_column("'50%'").label("text"), (n % 7).label("rest"),
                          (n + 1).label("next"), n.label("same")))
    wide = select(*[(bindparam(f"p{i}", type_=Integer) * 2).label(f"c{i}") for i in range(80)])
    with engine.connect() as conn:
        assert tuple(odd.first({"n": 10}, conn)) == ("50%", 3, 11, 10)
        assert tuple(odd.first({"n": 10}, conn)) == tuple(
            conn.execute(odd.statement, {"n": 10}).one())
        assert list(Prepared(wide).first({f"p{i}": i for i in range(80)}, conn)) == [
            2 * i for i in range(80)]


def test_pyformat_statements_are_numbered_once_per_name():
    sql, names = numbered("SELECT %(a)s, %(b)s %% 2, %(a)s, %(x_y)s", {"x_y": "x-y"})
    assert sql == "SELECT $1, $2 % 2, $1, $3" and names == ("a", "b", "x-y")
    with pytest.raises(ValueError, match="bare %"):
        numbered("SELECT 5 % 2", {})


def test_expanding_parameters_are_refused(engine):
    many = Prepared(select(things.c.id).where(things.c.name.in_(bindparam("names",
                                                                           expanding=True))))
    with engine.connect() as conn, pytest.raises(ValueError, match="expanding"):
        many.all({"names": ["a"]}, conn)


def test_a_dropped_postgresql_connection_is_invalidated_and_replaced():
    engine = create_engine(PG_URL, pool_size=1, max_overflow=0)
    select_pid = Prepared(select(literal(1).label("one")))
    try:
        with engine.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin = create_engine(PG_URL)
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        admin.dispose()
        with engine.connect() as conn:
            with pytest.raises(DBAPIError) as caught:
                select_pid.scalar({}, conn)
            assert caught.value.connection_invalidated and conn.invalidated
        with engine.connect() as conn:  # the pool opened a new connection
            assert select_pid.scalar({}, conn) == 1
            assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        engine.dispose()


def test_one_cursor_per_psycopg_connection_and_none_left_open_on_sqlite(engine):
    """psycopg cursors are reused (building one is costly); a sqlite3 cursor is dropped with
    its statement (one left open would hold a read snapshot)."""
    cursors = []

    def record(conn, cursor, statement, parameters, context, executemany):
        cursors.append(weakref.ref(cursor))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.begin() as conn:
            INSERT.run(_row("kept"), conn)
        with engine.connect() as conn:
            with pytest.raises(IntegrityError), conn.begin():
                INSERT.run(_row("kept"), conn)
            with conn.begin():  # the next transaction runs on the same cursor
                assert BY_NAME.first({"name": "kept"}, conn).name == "kept"
                assert SINCE.all({"since": MOMENT}, conn)[0].name == "kept"
                if engine.dialect.name == "sqlite":
                    assert all(ref() is None for ref in cursors)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(cursors) >= 4  # SQLite also runs its BEGIN through a cursor
    if engine.dialect.name == "postgresql":
        assert all(ref() is cursors[0]() is not None for ref in cursors)
