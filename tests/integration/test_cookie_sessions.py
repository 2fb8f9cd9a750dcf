"""Session cookies: each distinct cookie is verified once per worker, and only when valid."""

from __future__ import annotations

from flask import Flask

from quizapp import cookie_sessions
from quizapp import create_app
from quizapp.cookie_sessions import VerifiedCookieSessions
from tests.conftest import make_config


def _app(tmp_path, secret: str = "test-secret") -> Flask:
    return create_app(make_config("sqlite://", {}, SECRET_KEY=secret,
                                  STATIC_BUILD_DIR=str(tmp_path / "static")))


def _cookie(app: Flask, data: dict) -> str:
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.dumps(data)


def _open(app: Flask, cookie: str):
    with app.test_request_context("/", headers={"Cookie": f"session={cookie}"}) as ctx:
        return app.session_interface.open_session(app, ctx.request)


def test_a_verified_cookie_is_remembered_and_read_back(tmp_path, monkeypatch):
    app = _app(tmp_path)
    assert isinstance(app.session_interface, VerifiedCookieSessions)
    cookie = _cookie(app, {"_user_id": "token", "_flashes": [("info", "hi")]})
    loads = []
    original = app.session_interface.get_signing_serializer

    def counting(app_):
        loads.append(1)
        return original(app_)

    monkeypatch.setattr(app.session_interface, "get_signing_serializer", counting)
    for _ in range(3):  # verified, then remembered
        session = _open(app, cookie)
        assert session["_user_id"] == "token"
        assert session["_flashes"] == [("info", "hi")]  # a request's changes stay its own
        session["_flashes"].append(("info", "changed in this request"))
    assert len(loads) == 1  # verified once


def test_changes_to_a_remembered_session_stay_in_their_request(tmp_path):
    app = _app(tmp_path)
    plain = _cookie(app, {"_user_id": "token", "_fresh": True, "csrf_token": "abc"})
    for _ in range(3):  # scalar values only: copied shallowly
        session = _open(app, plain)
        assert dict(session) == {"_user_id": "token", "_fresh": True, "csrf_token": "abc"}
        session["_fresh"] = False
        session["_flashes"] = [("info", "new")]
        del session["csrf_token"]


def test_a_tampered_cookie_gives_an_empty_session(tmp_path):
    app = _app(tmp_path)
    cookie = _cookie(app, {"_user_id": "token"})
    assert _open(app, cookie)["_user_id"] == "token"
    payload, _, signature = cookie.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert dict(_open(app, forged)) == {}


def test_an_expired_cookie_is_refused_even_when_remembered(tmp_path, monkeypatch):
    app = _app(tmp_path)
    cookie = _cookie(app, {"_user_id": "token"})
    assert _open(app, cookie)["_user_id"] == "token"  # remembered now
    lifetime = app.permanent_session_lifetime.total_seconds()
    real_time = cookie_sessions.time.time
    monkeypatch.setattr(cookie_sessions.time, "time", lambda: real_time() + lifetime + 60)
    assert dict(_open(app, cookie)) == {}


def test_another_apps_cookie_is_not_accepted(tmp_path):
    first, second = _app(tmp_path, "first-secret"), _app(tmp_path, "second-secret")
    cookie = _cookie(first, {"_user_id": "token"})
    assert _open(first, cookie)["_user_id"] == "token"
    assert dict(_open(second, cookie)) == {}


def test_the_memory_stays_bounded(tmp_path, monkeypatch):
    app = _app(tmp_path)
    monkeypatch.setattr(cookie_sessions, "CACHE_LIMIT", 3)
    for index in range(5):
        assert _open(app, _cookie(app, {"n": index}))["n"] == index
    assert len(app.session_interface._verified) <= 3


def _saved(app: Flask, session, response=None):
    response = response or app.response_class("page")
    app.session_interface.save_session(app, session, response)
    return response


def test_saving_an_unchanged_session_writes_the_same_headers_as_flask(tmp_path):
    from flask.sessions import SecureCookieSessionInterface

    app = _app(tmp_path)
    flask_own = SecureCookieSessionInterface()
    cookie = _cookie(app, {"_user_id": "token"})
    cases = [({}, False), ({}, True), ({"Vary": "Accept-Encoding"}, True)]
    for headers, read in cases:
        ours, theirs = _open(app, cookie), _open(app, cookie)
        if read:
            ours.get("_user_id"), theirs.get("_user_id")
        mine = _saved(app, ours, app.response_class("page", headers=headers))
        flask_response = app.response_class("page", headers=headers)
        flask_own.save_session(app, theirs, flask_response)
        assert mine.headers.getlist("Vary") == flask_response.headers.getlist("Vary")
        assert "Set-Cookie" not in mine.headers
    assert _saved(app, _open(app, cookie)).headers.get("Vary") is None  # never read


def test_a_changed_or_emptied_session_still_writes_its_cookie(tmp_path):
    app = _app(tmp_path)
    session = _open(app, _cookie(app, {"_user_id": "token"}))
    session["_user_id"] = "other"
    written = _saved(app, session)
    assert "session=" in written.headers["Set-Cookie"] and written.headers["Vary"] == "Cookie"
    session.clear()
    assert "session=;" in _saved(app, session).headers["Set-Cookie"]  # deleted


def test_cookie_headers_are_parsed_once_each_and_read_as_werkzeug_reads_them(monkeypatch):
    from flask import Request
    from werkzeug.test import EnvironBuilder

    from quizapp import web

    monkeypatch.setattr(web, "_PARSED_COOKIES", {})
    headers = ["session=abc; remember_token=1|x", "a=1; a=2; b", 'q="say \\"hi\\""', ""]
    for header in headers:
        environ = EnvironBuilder(headers={"Cookie": header} if header else {}).get_environ()
        first, again = web.CleanRequest(environ).cookies, web.CleanRequest(environ).cookies
        assert first is again  # the second request reuses the first one's parse
        assert list(first.items(multi=True)) == list(
            Request(environ).cookies.items(multi=True))
    assert len(web._PARSED_COOKIES) == len(headers)
    monkeypatch.setattr(web, "COOKIE_MEMORY", 2)
    environ = EnvironBuilder(headers={"Cookie": "new=1"}).get_environ()
    assert web.CleanRequest(environ).cookies["new"] == "1"
    assert list(web._PARSED_COOKIES) == ["new=1"]  # full: the memory started again


def test_a_request_without_a_cookie_builds_no_serializer(tmp_path, monkeypatch):
    app = _app(tmp_path)
    built = []
    monkeypatch.setattr("flask.sessions.URLSafeTimedSerializer",
                        lambda *a, **k: built.append(1))
    with app.test_request_context("/") as ctx:
        session = app.session_interface.open_session(app, ctx.request)
    assert dict(session) == {} and not session.modified
    assert built == []


def test_one_serializer_per_set_of_keys_and_rotated_keys_still_verify(tmp_path):
    app = _app(tmp_path, secret="old-secret")
    interface = app.session_interface
    first = interface.get_signing_serializer(app)
    assert interface.get_signing_serializer(app) is first
    cookie = _cookie(app, {"_user_id": "token"})
    app.secret_key = "new-secret"  # rotated, with the old key kept as a fallback
    app.config["SECRET_KEY_FALLBACKS"] = ["old-secret"]
    rotated = interface.get_signing_serializer(app)
    assert rotated is not first
    assert _open(app, cookie)["_user_id"] == "token"
    assert rotated.loads(rotated.dumps({"a": 1})) == {"a": 1}
    app.config["SECRET_KEY_FALLBACKS"] = []  # the old key retired: its cookies are refused
    interface._verified.clear()
    assert dict(_open(app, cookie)) == {}
