"""Statements that go to PostgreSQL together: one round trip (``pg_direct.execute_all``)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
from psycopg import pq
from sqlalchemy import func
from sqlalchemy import make_url
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from quizapp import create_app
from quizapp import pg_direct
from quizapp.db_session import _OWN as OWN
from quizapp.extensions import db
from quizapp.models import Attempt
from quizapp.prepared import run_together
from quizapp.services.quiz_view import remember_live_questions
from tests.conftest import make_config
from tests.integration.helpers import form_key
from tests.integration.helpers import form_shown
from tests.integration.helpers import form_version
from tests.integration.helpers import item_question
from tests.integration.helpers import right_answer
from tests.integration.helpers import sync_test_bank
from tests.integration.pg_wire import RoundTripCounter
from tests.integration.test_prepared import BY_NAME
from tests.integration.test_prepared import INSERT
from tests.integration.test_prepared import PG_URL
from tests.integration.test_prepared import _row
from tests.integration.test_prepared import pg_schema
from tests.integration.test_prepared import schema_engine
from tests.integration.test_prepared import things

SCHEMA = f"pipeline_test_{os.getpid()}"
# libpq calls that wait for the server: each is one round trip
EXCHANGES = frozenset({"exec_", "exec_params", "exec_prepared", "prepare", "pipeline_sync",
                       "describe_prepared"})


class CountingPGconn:
    """A libpq connection that counts the round trips made on it (and sends outside
    pipeline mode, which psycopg's own statements make)."""

    def __init__(self, pgconn) -> None:
        self._pgconn = pgconn
        self.round_trips = 0

    def __getattr__(self, name: str):
        found = getattr(self._pgconn, name)
        if name in EXCHANGES or (name.startswith("send_") and
                                 self._pgconn.pipeline_status == pq.PipelineStatus.OFF):
            self.round_trips += 1
        return found


@pytest.fixture
def engine():
    with schema_engine(SCHEMA, pool_size=2) as engine:
        yield engine


@contextlib.contextmanager
def _counting(conn) -> Iterator[CountingPGconn]:
    """Count the round trips made on ``conn`` meanwhile."""
    dbapi = conn.connection.dbapi_connection
    counting = dbapi.pgconn = CountingPGconn(dbapi.pgconn)
    try:
        yield counting
    finally:
        dbapi.pgconn = counting._pgconn


def _warm(conn) -> None:
    """Prepare the statements and make psycopg's dumpers for their types (which read the
    connection's real libpq object), then leave no transaction open."""
    transaction = conn.begin()
    run_together([(INSERT, _row("warm")), (BY_NAME, {"name": "warm"})], conn)
    transaction.rollback()


def _names(engine) -> list[str]:
    with engine.connect() as other:
        return other.execute(select(things.c.name).order_by(things.c.name)).scalars().all()


def test_statements_go_together_with_the_transactions_begin(engine):
    with engine.connect() as conn:
        _warm(conn)
        conn.begin()
        with _counting(conn) as counting:
            inserted, found = run_together([(INSERT, _row("a")), (BY_NAME, {"name": "a"})],
                                           conn)
        assert counting.round_trips == 1
        assert found[0].name == "a" and found[0].id == inserted[0].id  # in order
        dbapi = conn.connection.dbapi_connection
        assert dbapi.info.transaction_status == pq.TransactionStatus.INTRANS
        assert dbapi.pgconn.pipeline_status == pq.PipelineStatus.OFF
        conn.rollback()
    assert _names(engine) == []


def test_a_transactions_first_statement_brings_its_begin(engine):
    with engine.connect() as conn:
        _warm(conn)
        conn.begin()
        with _counting(conn) as counting:
            INSERT.run(_row("one"), conn)
        assert counting.round_trips == 1
        conn.commit()
    assert _names(engine) == ["one"]


def test_a_failed_statement_raises_as_sqlalchemy_does_and_the_rest_do_not_run(engine):
    with engine.begin() as conn:
        INSERT.run(_row("dup"), conn)
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(IntegrityError) as raised:
            run_together([(INSERT, _row("before")), (INSERT, _row("dup")),
                          (INSERT, _row("after"))], conn)
        assert "INSERT INTO prepared_thing" in raised.value.statement
        assert raised.value.params[0] == "dup"
        conn.rollback()
        dbapi = conn.connection.dbapi_connection
        assert dbapi.pgconn.pipeline_status == pq.PipelineStatus.OFF
        assert BY_NAME.first({"name": "dup"}, conn).name == "dup"  # still usable
    assert _names(engine) == ["dup"]


def test_the_commit_goes_with_them_for_a_session_that_owns_its_connection(engine):
    with engine.connect() as conn:
        _warm(conn)
        session = Session(bind=conn)
        session.info[OWN] = conn  # as a RequestSession keeps its connection
        session.connection()  # begins the session's transaction on ``conn``
        with _counting(conn) as counting:
            run_together([(INSERT, _row("kept"))], conn, commit=session)
            assert _names(engine) == ["kept"]  # committed before the session's commit
            dbapi = conn.connection.dbapi_connection
            assert dbapi.info.transaction_status == pq.TransactionStatus.IDLE
            session.commit()  # psycopg finds nothing to commit: no round trip
        assert counting.round_trips == 1
        session.close()


@pytest.mark.parametrize("why", ["pending", "savepoint", "not_own"])
def test_the_commit_is_left_to_the_session_when_it_would_do_more(engine, why):
    with engine.connect() as conn:
        session = Session(bind=conn)
        if why != "not_own":
            session.info[OWN] = conn
        session.connection()
        if why == "pending":
            session.execute(things.insert().values(name="pending"))  # flushed: none pending
            session.add(_Thing(name="unflushed"))
        elif why == "savepoint":
            session.begin_nested()
        run_together([(INSERT, _row("later"))], conn, commit=session)
        assert _names(engine) == []  # not committed yet
        session.rollback()
        session.close()
    assert _names(engine) == []


class _Thing:
    """An ORM object of the test table (mapped below), left pending in a session."""

    def __init__(self, name: str) -> None:
        self.name = name


def _map_thing() -> None:
    from sqlalchemy.orm import registry

    registry().map_imperatively(_Thing, things)


_map_thing()


def test_an_interrupted_pipeline_leaves_the_connection_usable(engine, monkeypatch):
    with engine.connect() as conn:
        conn.begin()
        real = pg_direct._next_result
        calls = []

        def interrupted(pgconn):
            calls.append(1)
            if len(calls) == 2:
                raise KeyboardInterrupt
            return real(pgconn)

        monkeypatch.setattr(pg_direct, "_next_result", interrupted)
        with pytest.raises(KeyboardInterrupt):
            run_together([(INSERT, _row("p")), (BY_NAME, {"name": "p"})], conn)
        monkeypatch.undo()
        dbapi = conn.connection.dbapi_connection
        assert dbapi.pgconn.pipeline_status == pq.PipelineStatus.OFF
        conn.rollback()
        assert BY_NAME.first({"name": "p"}, conn) is None


@pytest.fixture
def relayed_app(tmp_path):
    """The app on a schema of its own, reached through a ``RoundTripCounter``."""
    relay = RoundTripCounter()
    schema = f"pipeline_app_{os.getpid()}"
    with pg_schema(schema):
        yield from _app_on(schema, relay, tmp_path)
    relay.close()


def _app_on(schema: str, relay: RoundTripCounter, tmp_path):
    url = make_url(PG_URL).set(host="127.0.0.1", port=relay.port)
    options = {"connect_args": {"options": f"-csearch_path={schema}", "sslmode": "disable",
                                "gssencmode": "disable"}}
    app = create_app(make_config(url.render_as_string(hide_password=False), options,
                                 STATIC_BUILD_DIR=str(tmp_path / "static")))
    with app.app_context():
        db.create_all()
        sync_test_bank()
        db.session.commit()
        remember_live_questions()  # as gunicorn's master does before forking
        db.session.remove()
    yield app, relay
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _counted_loop(app, relay, client, quiz_id: int, position: int) -> list[int]:
    """Round trips of one question page, its answer and its feedback page."""
    spent = []
    before = relay.round_trips
    html = client.get(f"/quiz/{quiz_id}/q/{position}").get_data(as_text=True)
    spent.append(relay.round_trips - before)
    with app.app_context():
        data = {"key": form_key(html), "version": form_version(html),
                "shown": form_shown(html), "hints_used": "0",
                **right_answer(item_question(quiz_id, position))}
        db.session.remove()
    before = relay.round_trips
    reply = client.post(f"/quiz/{quiz_id}/q/{position}", data=data)
    spent.append(relay.round_trips - before)
    assert reply.status_code == 302, reply.status_code
    before = relay.round_trips
    assert client.get(reply.headers["Location"]).status_code == 200
    spent.append(relay.round_trips - before)
    return spent


def test_an_answered_question_costs_four_round_trips(relayed_app):
    """The page and the feedback one each; the answer two: the login check with the
    answer's rows, then the item's lock and the guarded writes (with BEGIN and COMMIT)."""
    app, relay = relayed_app
    client = app.test_client()
    client.post("/auth/register", data={"email": "rt@example.com", "display_name": "R",
                                        "password": "correct-horse", "confirm": "correct-horse"})
    client.post("/auth/login", data={"email": "rt@example.com", "password": "correct-horse"})
    location = client.post("/quiz/start").headers["Location"]
    quiz_id = int(location.split("/")[2])
    for position in (1, 2):  # statements prepared on the connection, adapters made
        _counted_loop(app, relay, client, quiz_id, position)
    assert _counted_loop(app, relay, client, quiz_id, 3) == [1, 2, 1]
    with app.app_context():
        answered = db.session.scalar(select(func.count()).select_from(Attempt))
        db.session.remove()
    assert answered == 3
