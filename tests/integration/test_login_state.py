"""Flask-Login's per-request work done directly: same identifiers, cookies and redirects."""

from __future__ import annotations

import pytest
from flask import Flask
from flask import g
from flask_login import current_user
from flask_login.utils import _create_identifier

from quizapp import login_state
from tests.integration.helpers import answer
from tests.integration.helpers import sync_test_bank


@pytest.mark.parametrize("headers,remote", [
    ({"User-Agent": "Mozilla/5.0 (X11) Firefox/130.0"}, "198.51.100.4"),
    ({"User-Agent": "Agent ü/1.0", "X-Forwarded-For": "203.0.113.9, 10.0.0.1"}, "10.0.0.1"),
    ({}, "192.0.2.1"),
    ({"X-Forwarded-For": " 203.0.113.10 "}, None),
])
def test_the_session_identifier_is_flask_login_s(app, headers, remote):
    login_state._IDENTIFIERS.clear()
    with app.test_request_context("/", headers=headers, environ_base={"REMOTE_ADDR": remote}):
        assert login_state.session_identifier() == _create_identifier()
        assert login_state.session_identifier() == _create_identifier()  # from memory


def test_the_identifier_is_hashed_once_per_client(app, monkeypatch):
    login_state._IDENTIFIERS.clear()
    hashed: list[bytes] = []
    real = login_state.sha512
    monkeypatch.setattr(login_state, "sha512", lambda data: hashed.append(data) or real(data))
    for agent in ("A/1", "A/1", "B/2", "A/1"):
        with app.test_request_context("/", headers={"User-Agent": agent}):
            login_state.session_identifier()
    assert len(hashed) == 2


def test_the_identifier_memory_is_bounded(app, monkeypatch):
    login_state._IDENTIFIERS.clear()
    monkeypatch.setattr(login_state, "IDENTIFIER_MEMORY", 3)
    for n in range(7):
        with app.test_request_context("/", headers={"User-Agent": f"agent/{n}"}):
            login_state.session_identifier()
    assert 0 < len(login_state._IDENTIFIERS) <= 3


def test_a_session_from_another_client_is_no_longer_fresh(client, auth):
    """Flask-Login's "basic" protection still applies: the identifier is compared."""
    auth.register(login=False)
    auth.login(HTTP_USER_AGENT="first")
    client.get("/", headers={"User-Agent": "first"})
    with client.session_transaction() as session:
        assert session.get("_fresh") is True
    client.get("/", headers={"User-Agent": "someone else"})
    with client.session_transaction() as session:
        assert session.get("_fresh") is False


def _remember_cookie_set(response) -> bool:
    return any(h.startswith("remember_token=") and "Expires=Thu, 01 Jan 1970" not in h
               for h in response.headers.getlist("Set-Cookie"))


def test_the_remember_cookie_is_set_at_login_and_not_on_every_page(client, auth):
    auth.register(login=False)
    assert _remember_cookie_set(auth.login(remember=True))
    assert not _remember_cookie_set(client.get("/"))


def test_the_remember_cookie_is_refreshed_on_every_page_when_configured(app, client, auth):
    auth.register(login=False)
    auth.login(remember=True)
    app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = True
    try:
        assert _remember_cookie_set(client.get("/"))
        assert _remember_cookie_set(client.get("/settings"))
    finally:
        app.config["REMEMBER_COOKIE_REFRESH_EACH_REQUEST"] = False


def test_logging_out_clears_the_remember_cookie(client, auth):
    auth.register(login=False)
    auth.login(remember=True)
    cleared = [h for h in auth.logout().headers.getlist("Set-Cookie")
               if h.startswith("remember_token=")]
    assert cleared and "Expires=Thu, 01 Jan 1970" in cleared[0]


def test_protected_pages_send_anonymous_visitors_to_the_login_page(client):
    for path in ("/settings", "/quiz/1/q/1", "/progress/topic/anything"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.location.startswith("/auth/login?next=")


def _small_app(**config) -> Flask:
    small = Flask(__name__)
    small.config.update(SECRET_KEY="x", **config)
    manager = login_state.LearnerLoginManager(small)
    manager.login_view = "login"
    manager.user_loader(lambda _id: None)
    small.add_url_rule("/login", "login", lambda: "login page")
    small.add_url_rule("/private", "private", login_state.login_required(lambda: "secret"),
                       methods=["GET", "OPTIONS"], provide_automatic_options=False)
    return small


def test_login_required_as_in_flask_login():
    client = _small_app().test_client()
    assert client.get("/private").status_code == 302
    assert client.options("/private").text == "secret"  # exempt, as in Flask-Login
    assert _small_app(LOGIN_DISABLED=True).test_client().get("/private").text == "secret"


def test_current_learner_is_current_user(client, auth, app):
    auth.register()
    seen: list = []

    def _look(response):
        seen.append((login_state.current_learner(), current_user._get_current_object(),
                     g._login_user))
        return response

    app.after_request_funcs[None].append(_look)
    try:
        client.get("/")
    finally:
        app.after_request_funcs[None].remove(_look)
    learner, user, stored = seen[0]
    assert learner is user is stored and learner.is_authenticated


def test_templates_get_the_user_and_flask_s_defaults_once(app, client, auth):
    from flask.templating import _default_template_ctx_processor

    processors = app.template_context_processors
    assert processors[None].count(_default_template_ctx_processor) == 1
    assert all(_default_template_ctx_processor not in funcs
               for name, funcs in processors.items() if name is not None)
    assert login_state._user_context in processors[None]
    sync_test_bank()
    auth.register()
    quiz_id = int(client.post("/quiz/start").headers["Location"].split("/")[2])
    answer(client, quiz_id, 1)  # an answer: the dashboard then draws its charts
    page = client.get("/").text
    assert "Hello, Ada" in page  # current_user in the template
    assert 'name="csrf_token"' in page and "<svg" in page  # the charts global
    with app.test_request_context("/"):
        assert login_state._user_context()["current_user"].is_authenticated is False
    with app.app_context():
        assert login_state._user_context() == {"current_user": None}
