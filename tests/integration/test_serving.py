"""Production serving: health check, hashed and compressed static files, request logs."""

from __future__ import annotations

import gzip
import logging
import re

import pytest

from quizapp import create_app
from quizapp.request_log import LOGGER
from quizapp.request_log import format_line
from quizapp.static_assets import hashed_name
from tests.conftest import make_config


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_is_503_with_a_reason_when_the_database_is_down(tmp_path):
    broken = create_app(make_config(f"sqlite:///{tmp_path}/missing/dir/db.sqlite", {},
                                    STATIC_BUILD_DIR=str(tmp_path / "static")))
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["reason"].startswith("database unavailable: OperationalError")


def _stylesheet_urls(html: str) -> list[str]:
    return re.findall(r'href="(/static/[^"]+\.css)"', html)


def test_pages_link_hashed_static_files_cached_for_a_year(client):
    html = client.get("/").get_data(as_text=True)
    urls = _stylesheet_urls(html) + re.findall(r'src="(/static/[^"]+\.js)"', html)
    assert any(re.search(r"/css/app\.[0-9a-f]{12}\.css$", u) for u in urls), urls
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        response.close()


def test_static_files_are_served_compressed(client):
    html = client.get("/").get_data(as_text=True)
    url = next(u for u in _stylesheet_urls(html) if "/css/app." in u)
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.get_data()) == plain.get_data()
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    plain.close()
    packed.close()


def test_stylesheet_font_references_point_at_hashed_files(client):
    html = client.get("/").get_data(as_text=True)
    url = next(u for u in _stylesheet_urls(html) if "katex" in u)
    sheet = client.get(url)
    css = sheet.get_data(as_text=True)
    sheet.close()
    fonts = re.findall(r"url\((fonts/[^)]+\.woff2)\)", css)
    assert fonts
    base = url.rsplit("/", 1)[0]
    for font in fonts[:3]:
        assert re.search(r"\.[0-9a-f]{12}\.woff2$", font), font
        response = client.get(f"{base}/{font}")
        assert response.status_code == 200
        response.close()


def test_a_changed_file_gets_a_new_name():
    assert hashed_name("css/app.css", b"a") != hashed_name("css/app.css", b"b")
    assert hashed_name("css/app.css", b"a").startswith("css/app.")


def test_pages_keep_the_content_security_policy(client):
    response = client.get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("style", ["logfmt", "json"])
def test_one_structured_log_line_per_request(tmp_path, style):
    app = create_app(make_config("sqlite://", {}, REQUEST_LOG=style,
                                 STATIC_BUILD_DIR=str(tmp_path / "static")))
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    LOGGER.addHandler(handler)
    try:
        app.test_client().get("/no/such/page?x=1")
    finally:
        LOGGER.removeHandler(handler)
    assert len(lines) == 1
    if style == "json":
        assert '"method":"GET"' in lines[0] and '"status":404' in lines[0]
    else:
        assert re.fullmatch(r"event=request method=GET path=/no/such/page status=404 "
                            r"duration_ms=[0-9.]+ ip=127\.0\.0\.1", lines[0]), lines[0]


def test_the_log_line_names_the_learner_and_the_client_behind_a_proxy(tmp_path):
    from quizapp.extensions import db

    app = create_app(make_config("sqlite://", {}, REQUEST_LOG="logfmt", TRUSTED_PROXIES=1,
                                 STATIC_BUILD_DIR=str(tmp_path / "static")))
    with app.app_context():
        db.create_all()
    lines: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    LOGGER.addHandler(handler)
    client = app.test_client()
    proxied = {"headers": {"X-Forwarded-For": "203.0.113.7"},
               "environ_base": {"REMOTE_ADDR": "10.0.0.1"}}
    try:
        client.post("/auth/register", data={
            "email": "log@example.com", "display_name": "Log",
            "password": "a-long-passphrase-9", "confirm": "a-long-passphrase-9"}, **proxied)
        client.post("/auth/login", data={"email": "log@example.com",
                                         "password": "a-long-passphrase-9"}, **proxied)
        client.get("/settings", **proxied)
    finally:
        LOGGER.removeHandler(handler)
        with app.app_context():
            db.engine.dispose()
    fields = [dict(part.split("=", 1) for part in line.split()) for line in lines]
    assert [(f["method"], f["path"], f["status"]) for f in fields] == [
        ("POST", "/auth/register", "302"), ("POST", "/auth/login", "302"),
        ("GET", "/settings", "200")]
    assert "user_id" not in fields[0] and fields[1]["user_id"] == fields[2]["user_id"] == "1"
    assert {f["ip"] for f in fields} == {"203.0.113.7"}


def test_logfmt_quotes_values_with_spaces():
    assert format_line({"path": "/a b", "n": 1}, "logfmt") == 'path="/a b" n=1'


@pytest.mark.parametrize(("value", "shown"), [
    ("/a=b", '"/a=b"'), ('/a"b', '"/a\\"b"'), ("/a\\b", '"/a\\\\b"'), ("", '""'),
    ("/a\tb", '"/a\\x09b"'), ("/\u00e9t\u00e9", "/\u00e9t\u00e9"),
    ("/plain-path_1", "/plain-path_1"),
])
def test_logfmt_quotes_and_escapes_what_would_break_a_line(value, shown):
    assert format_line({"path": value}, "logfmt") == f"path={shown}"


def test_unknown_log_format_is_refused(tmp_path):
    with pytest.raises(RuntimeError, match="REQUEST_LOG"):
        create_app(make_config("sqlite://", {}, REQUEST_LOG="xml",
                               STATIC_BUILD_DIR=str(tmp_path / "static")))


def test_warm_up_compiles_every_template(app):
    from quizapp.services.warmup import compile_templates

    app.jinja_env.cache.clear()
    count = compile_templates(app)
    assert count >= 20
    cached = {key[1] for key in app.jinja_env.cache}
    assert {"base.html", "quiz/question.html", "quiz/feedback.html"} <= cached


def test_the_log_line_reads_an_expired_user_without_a_query(ctx):
    from datetime import UTC
    from datetime import datetime

    from flask import g
    from sqlalchemy import event

    from quizapp.extensions import db
    from quizapp.request_log import _user_id
    from quizapp.services.accounts import register_user

    user = register_user("log@example.com", "a-long-passphrase-9", "Log", datetime.now(UTC))
    db.session.commit()
    user_id = db.session.get(type(user), user.id).id
    db.session.commit()  # expires the row, as an answer's commit does
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        g._login_user = user
        assert _user_id(g) == user_id
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert statements == []


def _hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hi"]


def test_the_own_stderr_handler_gets_the_line_without_a_record(monkeypatch):
    import io

    from quizapp.request_log import RequestLog
    from quizapp.request_log import _MessageOnly

    stream = io.StringIO()
    own = logging.StreamHandler(stream)
    own.setFormatter(_MessageOnly())
    made: list[object] = []
    monkeypatch.setattr(LOGGER, "handlers", [own])
    monkeypatch.setattr(LOGGER, "propagate", False)
    monkeypatch.setattr(LOGGER, "level", logging.INFO)
    monkeypatch.setattr(LOGGER, "makeRecord", lambda *a: made.append(a))
    app = RequestLog(_hello, "logfmt", own)
    assert b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/p q", "REMOTE_ADDR": "1.2.3.4"},
                        lambda status, headers, exc=None: None)) == b"hi"
    assert re.fullmatch(r'event=request method=GET path="/p q" status=200 duration_ms=[0-9.]+ '
                        r"ip=1\.2\.3\.4\n", stream.getvalue()), stream.getvalue()
    assert made == []  # straight to the stream


def test_another_handler_gets_the_record_and_the_own_handler_its_line(monkeypatch):
    import io

    from quizapp.request_log import RequestLog
    from quizapp.request_log import _MessageOnly

    stream = io.StringIO()
    own = logging.StreamHandler(stream)
    own.setFormatter(_MessageOnly())
    seen: list[str] = []
    other = logging.Handler()
    other.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    monkeypatch.setattr(LOGGER, "handlers", [own, other])
    monkeypatch.setattr(LOGGER, "propagate", False)
    monkeypatch.setattr(LOGGER, "level", logging.INFO)
    app = RequestLog(_hello, "logfmt", own)
    b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/a", "REMOTE_ADDR": ""},
                 lambda status, headers, exc=None: None))
    assert len(seen) == 1 and stream.getvalue() == seen[0] + "\n"
    assert seen[0].startswith("event=request method=GET path=/a status=200 ")


def test_a_quieter_own_handler_writes_no_request_line(monkeypatch):
    import io

    from quizapp.request_log import RequestLog
    from quizapp.request_log import _MessageOnly

    stream = io.StringIO()
    own = logging.StreamHandler(stream)
    own.setFormatter(_MessageOnly())
    own.setLevel(logging.WARNING)  # a deployment turned request lines off at the handler
    monkeypatch.setattr(LOGGER, "handlers", [own])
    monkeypatch.setattr(LOGGER, "propagate", False)
    monkeypatch.setattr(LOGGER, "level", logging.INFO)
    app = RequestLog(_hello, "logfmt", own)
    b"".join(app({"REQUEST_METHOD": "GET", "PATH_INFO": "/a", "REMOTE_ADDR": ""},
                 lambda status, headers, exc=None: None))
    assert stream.getvalue() == ""
