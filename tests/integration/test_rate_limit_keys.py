"""Rate-limit keys: per client network, and through trusted proxies."""

import subprocess
import sys
import textwrap

import pytest

from quizapp.ratelimit_keys import client_key


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
    ],
)
def test_client_key_groups_an_ipv6_64(app, remote, key):
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": remote}):
        assert client_key() == key


PROXY_SCRIPT = textwrap.dedent("""
    import json
    from quizapp import create_app
    from quizapp.extensions import db
    app = create_app({"SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": "sqlite://", "AUTH_RATE_LIMIT": "3 per minute",
                      "LOGIN_BACKOFF_FREE_FAILURES": 1000,
                      "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": "1000 per minute"})
    with app.app_context():
        db.create_all()
    client = app.test_client()
    def login(forwarded):
        return client.post("/auth/login", data={"email": "a@b.co", "password": "wrong-pass"},
                           headers={"X-Forwarded-For": forwarded, "X-Forwarded-Proto": "https"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"})
    rotating = [login(f"192.0.2.{i}").status_code for i in range(4)]
    same = [login("192.0.2.200").status_code for _ in range(4)]
    page = login("192.0.2.201")
    print(json.dumps({"rotating": rotating, "same": same,
                      "hsts": page.headers.get("Strict-Transport-Security"),
                      "secure": app.config["SESSION_COOKIE_SECURE"],
                      "remember_secure": app.config["REMEMBER_COOKIE_SECURE"]}))
""")


def test_behind_a_trusted_proxy_each_client_is_limited_separately():
    import json

    env = {"PATH": "/usr/bin:/bin", "QUIZAPP_ENV": "production", "TRUSTED_PROXIES": "1"}
    out = subprocess.run([sys.executable, "-c", PROXY_SCRIPT], capture_output=True, text=True,
                         timeout=60, env=env, check=True).stdout
    result = json.loads(out)
    assert result["rotating"] == [400, 400, 400, 400]  # four clients, not one proxy
    assert result["same"] == [400, 400, 400, 429]
    assert result["hsts"].startswith("max-age=")
    assert result["secure"] is True and result["remember_secure"] is True


DEFAULT_LIMIT_SCRIPT = textwrap.dedent("""
    import json
    import sys
    from quizapp import create_app
    from quizapp.extensions import db, limiter
    config = {"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if sys.argv[1] == "default":
        config["RATELIMIT_DEFAULT"] = "2 per minute"
    app = create_app(config)
    with app.app_context():
        db.create_all()
    hits = []
    original = limiter.limit_manager.resolve_limits
    limiter.limit_manager.resolve_limits = lambda *a, **k: hits.append(1) or original(*a, **k)
    client = app.test_client()
    statuses = [client.get("/healthz").status_code for _ in range(3)]
    print(json.dumps({"statuses": statuses, "hits": len(hits)}))
""")


@pytest.mark.parametrize(("mode", "statuses", "hits"), [
    ("none", [200, 200, 200], 0),  # no limit applies: no limits are even looked up
    ("default", [200, 200, 429], 3),  # a default limit is still checked on every request
])
def test_requests_are_checked_where_a_limit_applies(mode, statuses, hits):
    import json

    env = {"PATH": "/usr/bin:/bin", "QUIZAPP_ENV": "testing"}
    out = subprocess.run([sys.executable, "-c", DEFAULT_LIMIT_SCRIPT, mode],
                         capture_output=True, text=True, timeout=60, env=env, check=True).stdout
    assert json.loads(out) == {"statuses": statuses, "hits": hits}
