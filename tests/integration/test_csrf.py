"""CSRF tokens: signed and verified once per worker, with Flask-WTF's checks and messages."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from flask_wtf.csrf import generate_csrf
from flask_wtf.csrf import validate_csrf
from itsdangerous import BadSignature

from quizapp import csrf_tokens as csrf_module
from quizapp.csrf_tokens import TokenMemory

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def protected(app: Flask) -> Iterator[Flask]:
    """CSRF checks on (the other tests run without them), once the learner is signed up."""
    try:
        yield app
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
        app.config["WTF_CSRF_TIME_LIMIT"] = None


def _sign_up(app: Flask, auth, email: str = "ada@example.com") -> None:
    app.config["WTF_CSRF_ENABLED"] = False
    auth.register(email=email)
    app.config["WTF_CSRF_ENABLED"] = True


def _token(client) -> str:
    return TOKEN.search(client.get("/").get_data(as_text=True)).group(1)


def test_a_learner_s_pages_reuse_one_token_and_it_is_accepted(protected, client, auth,
                                                              monkeypatch):
    _sign_up(protected, auth)
    first = _token(client)  # the dashboard: its own form and the log-out button
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 5)  # a token signed now would differ
    assert _token(client) == first  # signed once, not per page
    settings = client.get("/settings").get_data(as_text=True)
    assert set(TOKEN.findall(settings)) == {first}  # every form of another page too
    assert client.post("/auth/logout", data={"csrf_token": first}).status_code == 302


def test_a_bad_missing_or_foreign_token_is_refused(protected, client, auth):
    _sign_up(protected, auth, "eve@example.com")
    eve_token = _token(client)
    client.delete_cookie("session")
    _sign_up(protected, auth)  # another session, with a secret of its own
    good = _token(client)
    for data in ({}, {"csrf_token": good[:-2] + "xx"}, {"csrf_token": eve_token}):
        response = client.post("/auth/logout", data=data)
        assert response.status_code == 400
        assert b"Form expired" in response.data
    assert client.post("/auth/logout", data={"csrf_token": good}).status_code == 302


def test_a_remembered_token_still_expires(protected, client, auth, monkeypatch):
    protected.config["WTF_CSRF_TIME_LIMIT"] = 60
    _sign_up(protected, auth)
    token = _token(client)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 61)  # itsdangerous' clock and ours
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 400
    fresh = _token(client)  # a new page signs a new token, valid again
    assert fresh != token
    assert client.post("/auth/logout", data={"csrf_token": fresh}).status_code == 302


def test_tokens_are_interchangeable_with_flask_wtf_s(protected):
    protected.config["WTF_CSRF_ENABLED"] = True
    with protected.test_request_context("/"):
        ours = csrf_module.csrf_token()
        validate_csrf(ours)  # Flask-WTF accepts ours
    with protected.test_request_context("/"):
        theirs = generate_csrf()  # signed by Flask-WTF, at once, for a new session
        from flask import session

        secret = session["csrf_token"]
        memory = protected.extensions["csrf_tokens"]
        assert memory.verify(protected.secret_key, theirs, None) == secret


def test_memory_is_per_key_bounded_and_checks_signatures(monkeypatch):
    memory = TokenMemory()
    app = Flask(__name__)
    app.config["WTF_CSRF_TIME_LIMIT"] = None
    with app.app_context():
        token = memory.sign("key-one", "secret")
        assert memory.sign("key-one", "secret") == token
        assert memory.verify("key-one", token, None) == "secret"
        with pytest.raises(BadSignature):  # remembered under key-one only
            memory.verify("key-two", token, None)
        with pytest.raises(BadSignature):
            memory.verify("key-one", token[:-3] + "abc", None)
        monkeypatch.setattr(csrf_module, "MEMORY_LIMIT", 3)
        for n in range(5):
            memory.sign("key-one", f"secret-{n}")
        assert len(memory.signed) <= 3 and len(memory.verified) <= 3


def test_templates_get_the_remembering_csrf_token(app):
    assert app.jinja_env.globals["csrf_token"] is csrf_module.csrf_token
    with app.test_request_context("/"):
        context: dict = {}
        app.update_template_context(context)
        assert "csrf_token" not in context  # Flask-WTF's processor would shadow the global


def test_logging_in_gives_the_session_a_new_token(protected, client, auth):
    """A token learnt before login (a planted session cookie's) is refused after it."""
    protected.config["WTF_CSRF_ENABLED"] = False
    auth.register(login=False)
    protected.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/auth/login").get_data(as_text=True)
    before = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"csrf_token": before, "email": "ada@example.com",
                                                "password": "correct-horse"})
    assert response.status_code == 302
    after = _token(client)
    assert after != before
    assert client.post("/auth/logout", data={"csrf_token": before}).status_code == 400
    assert client.post("/auth/logout", data={"csrf_token": after}).status_code == 302
