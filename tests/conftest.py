"""Fixtures: one app per test worker, a database rolled back after every test.

Set TEST_DATABASE_URL (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test) to run
against PostgreSQL; each xdist worker then gets its own schema.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
from flask import Flask
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.orm import scoped_session
from sqlalchemy.orm import sessionmaker

from quizapp import create_app
from quizapp.extensions import db
from quizapp.extensions import limiter

TEST_BANK = Path(__file__).parent / "data" / "bank"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def database_url(worker: str, suffix: str = "") -> tuple[str, dict]:
    """The test database URL and engine options (a schema per worker on PostgreSQL)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return "sqlite://", {}
    schema = f"test_{worker}{suffix}".replace("-", "_")
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    return url, {"connect_args": {"options": f"-csearch_path={schema}"}}


def drop_schema(worker: str, suffix: str = "") -> None:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        admin = create_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "test_{worker}{suffix}" CASCADE'))
        admin.dispose()


def make_config(url: str, engine_options: dict, **extra: object) -> dict:
    return {
        "ENV_NAME": "testing",
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "WTF_CSRF_ENABLED": False,
        "AUTH_RATE_LIMIT": "100000 per minute",
        "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": "100000 per minute",
        "LOGIN_BACKOFF_FREE_FAILURES": 100000,
        "QUESTIONS_DIR": str(TEST_BANK),
        **extra,
    }


@pytest.fixture(scope="session")
def worker_id_safe(request: pytest.FixtureRequest) -> str:
    return getattr(request.config, "workerinput", {}).get("workerid", "main")


@pytest.fixture(scope="session")
def app(worker_id_safe: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url, options = database_url(worker_id_safe)
    application = create_app(make_config(url, options))

    @application.teardown_request
    def _forget_user(_error: BaseException | None) -> None:
        # The ``database`` fixture keeps one app context open, which requests then share;
        # drop the per-request caches (Flask-Login's user, Flask-WTF's CSRF token and verdict)
        # so each request authenticates and signs its token anew, as in production.
        for name in ("_login_user", "csrf_token", "csrf_valid"):
            g.pop(name, None)

    with application.app_context():
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
    drop_schema(worker_id_safe)


@pytest.fixture
def database(app: Flask) -> Iterator[scoped_session]:
    """Run the test inside a transaction that is rolled back at the end.

    Services commit as usual; their commits release SAVEPOINTs inside the outer transaction.
    """
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        session = scoped_session(sessionmaker(bind=connection,
                                              join_transaction_mode="create_savepoint"))
        original = db.session
        db.session = session
        try:
            yield session
        finally:
            session.remove()
            db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, database: scoped_session) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def ctx(app: Flask, database: scoped_session) -> Iterator[None]:
    """An app context for calling services directly."""
    with app.app_context():
        yield


@pytest.fixture
def rng() -> random.Random:
    return random.Random(1234)


@pytest.fixture
def rate_limits(app: Flask) -> Iterator[None]:
    """Apply the production login/register limits for one test, with empty counters."""
    app.config["AUTH_RATE_LIMIT"] = "10 per minute;50 per hour"
    limiter.reset()
    try:
        yield
    finally:
        limiter.reset()
        app.config["AUTH_RATE_LIMIT"] = "100000 per minute"


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def register(self, email: str = "ada@example.com", password: str = "correct-horse",
                 name: str = "Ada", login: bool = True):
        """Sign up, then (as the app asks) log in; return the sign-up response."""
        response = self._client.post("/auth/register", data={
            "email": email, "display_name": name, "password": password, "confirm": password})
        if login and response.status_code == 302:
            self.login(email=email, password=password)
        return response

    def login(self, email: str = "ada@example.com", password: str = "correct-horse",
              next_url: str = "", remember: bool = False, **environ):
        data = {"email": email, "password": password, "next": next_url}
        if remember:
            data["remember"] = "y"
        return self._client.post("/auth/login", data=data, environ_base=environ)

    def logout(self):
        return self._client.post("/auth/logout")


@pytest.fixture
def auth(client: FlaskClient) -> AuthActions:
    return AuthActions(client)
