"""With REDIS_URL set, login limits are counted in Redis (shared by every app server)."""

import subprocess
import sys
import textwrap
import uuid

import pytest

redis = pytest.importorskip("redis")

SCRIPT = textwrap.dedent("""
    import sys
    from quizapp import create_app
    from quizapp.extensions import db, limiter
    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "AUTH_RATE_LIMIT": "3 per minute"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    ip = {"REMOTE_ADDR": sys.argv[1]}
    codes = [client.post("/auth/login", data={"email": sys.argv[2], "password": "wrong-pass"},
                         environ_base=ip).status_code for _ in range(4)]
    print(type(limiter.storage).__name__, codes)
""")


def run(redis_url: str, ip: str, email: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, ip, email], capture_output=True, text=True, timeout=60,
        env={"REDIS_URL": redis_url, "PATH": "/usr/bin:/bin"}, check=True,
    )
    return result.stdout.strip()


def test_limits_are_stored_in_redis_across_processes():
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    # Fresh client and account each run: Redis keeps counters between test runs.
    ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    email = f"{uuid.uuid4().hex}@example.com"
    assert run(url, ip, email) == "RedisStorage [400, 400, 400, 429]"
    # A second process (another app server) sees the same counters.
    assert run(url, ip, email) == "RedisStorage [429, 429, 429, 429]"


def test_the_code_answer_budget_counts_in_process_when_redis_is_down():
    """Graded code answers call the limiter's storage directly: with Redis gone they are
    still counted (in this process), never a 500."""
    from quizapp import create_app
    from quizapp import run_budget

    app = create_app({"ENV_NAME": "testing", "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI":
                      "sqlite://", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",
                      "CODE_ANSWER_RATE_LIMIT": "2 per minute"})
    with app.test_request_context():
        user = uuid.uuid4().int
        assert [run_budget.charge(user) for _ in range(2)] == [None, None]
        assert 1 <= run_budget.charge(user) <= 60
