"""RouteLimiter: its hooks run wherever a limit applies; Retry-After stays within the window."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.globals import request_ctx

from quizapp.extensions import RouteLimiter
from quizapp.web import retry_after


def _app() -> tuple[Flask, list[bool]]:
    app = Flask(__name__)
    app.config.update(RATELIMIT_HEADERS_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    limiter = RouteLimiter(key_func=lambda: "client")
    limiter.init_app(app)
    touched: list[bool] = []

    @app.get("/limited")
    @limiter.limit("3 per minute")
    def limited() -> str:
        return "ok"

    @app.get("/conditional/<int:status>")
    @limiter.limit("2 per minute", deduct_when=lambda response: response.status_code == 400)
    def conditional(status: int) -> tuple[str, int]:
        return "x", status

    @app.get("/free")
    def free() -> str:
        return "ok"

    @app.after_request
    def _seen(response):  # runs before the limiter's hook (after-request hooks run reversed)
        touched.append(hasattr(request_ctx, "_limiter_request_context"))
        return response

    return app, touched


def test_a_limited_route_gets_its_headers_and_is_limited():
    app, _ = _app()
    client = app.test_client()
    replies = [client.get("/limited") for _ in range(4)]
    assert replies[0].headers["X-RateLimit-Limit"] == "3"
    assert replies[1].headers["X-RateLimit-Remaining"] == "1"
    assert [r.status_code for r in replies] == [200, 200, 200, 429]


def test_conditional_deductions_still_count():
    app, _ = _app()
    client = app.test_client()
    assert [client.get("/conditional/200").status_code for _ in range(3)] == [200] * 3
    assert [client.get("/conditional/400").status_code for _ in range(3)] == [400, 400, 429]


def test_a_route_without_limits_leaves_no_limiter_state_and_no_headers():
    app, touched = _app()
    response = app.test_client().get("/free")
    assert response.status_code == 200
    assert "X-RateLimit-Limit" not in response.headers
    assert touched == [False]


@pytest.mark.parametrize(("reset_at", "expected"), [
    (1060.4, 60),   # Redis rounds a TTL up: a reset past the window is capped at the window
    (1030.2, 31),   # partial seconds round up, so a client never retries too early
    (1000.0, 1),    # a limit resetting now still asks for a second
    (990.0, 1),
])
def test_retry_after_stays_within_the_window(reset_at, expected):
    assert retry_after(reset_at, 60, now=1000.0) == expected


def test_limiter_state_is_read_from_the_request_context_itself():
    from quizapp.extensions import _limiter_used

    app, _ = _app()
    assert _limiter_used() is False  # no request context at all
    with app.test_request_context("/free"):
        assert _limiter_used() is False
        request_ctx._limiter_request_context = {}  # what Limiter.context leaves behind
        assert _limiter_used() is True
        del request_ctx._limiter_request_context  # the limiter's hooks would read it
