"""Logging out revokes cookies: replaying an old session or remember cookie opens nothing."""

from datetime import timedelta

import pytest
from flask.testing import FlaskClient

from quizapp.core.clock import utcnow
from quizapp.extensions import db
from quizapp.models import LoginSession
from quizapp.services import accounts
from quizapp.services import sessions
from tests.conftest import AuthActions


def logged_in(client: FlaskClient) -> bool:
    return b"Hello, Ada" in client.get("/").data


def replay(app, **cookies: str) -> FlaskClient:
    """A new browser holding only copies of the given cookies."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def cookie(client: FlaskClient, name: str) -> str:
    found = client.get_cookie(name)
    assert found is not None, f"no {name} cookie"
    return found.value


@pytest.fixture
def ada(client, auth):
    auth.register(login=False)
    auth.login(remember=True)
    assert logged_in(client)
    return client


def test_logout_revokes_the_old_session_cookie(app, ada, auth):
    old_session = cookie(ada, "session")
    auth.logout()
    assert not logged_in(ada)
    assert not logged_in(replay(app, session=old_session))


def test_logout_revokes_the_old_remember_cookie(app, ada, auth):
    old_remember = cookie(ada, "remember_token")
    assert logged_in(replay(app, remember_token=old_remember))  # it works before logout
    auth.logout()
    assert not logged_in(replay(app, remember_token=old_remember))


def test_every_login_gets_a_new_remember_cookie(app, ada, auth):
    first = cookie(ada, "remember_token")
    auth.logout()
    auth.login(remember=True)
    second = cookie(ada, "remember_token")
    other = app.test_client()
    AuthActions(other).login(remember=True)
    assert len({first, second, cookie(other, "remember_token")}) == 3


def test_cookies_carry_no_user_id(ada):
    remember = cookie(ada, "remember_token")
    assert not remember.split("|")[0].isdigit()


def test_password_change_logs_out_other_devices_only(app, ada):
    laptop = app.test_client()
    AuthActions(laptop).login(remember=True)
    laptop_cookies = {"session": cookie(laptop, "session"),
                      "remember_token": cookie(laptop, "remember_token")}
    response = ada.post("/settings/password", data={
        "current": "correct-horse", "password": "violet-kettle-harbour",
        "confirm": "violet-kettle-harbour"})
    assert response.status_code == 302
    assert logged_in(ada)
    assert not logged_in(laptop)
    assert not logged_in(replay(app, **laptop_cookies))
    fresh = app.test_client()
    assert AuthActions(fresh).login(password="correct-horse").status_code == 400
    assert AuthActions(fresh).login(password="violet-kettle-harbour").status_code == 302


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"current": "wrong-horse"}, b"not your current password"),
        ({"password": "password", "confirm": "password"}, b"top-10 common password"),
        ({"confirm": "something-else"}, b"do not match"),
    ],
)
def test_bad_password_change_keeps_the_old_password(app, ada, form, message):
    data = {"current": "correct-horse", "password": "violet-kettle-harbour",
            "confirm": "violet-kettle-harbour", **form}
    response = ada.post("/settings/password", data=data)
    assert response.status_code == 400 and message in response.data
    assert b'value="wrong-horse"' not in response.data  # passwords are never echoed
    assert AuthActions(app.test_client()).login().status_code == 302
    reload = ada.get("/settings/password")  # the address the refused form left behind
    assert reload.headers["Location"] == "/settings#password-heading"


def test_log_out_everywhere(app, ada):
    phone = app.test_client()
    AuthActions(phone).login()
    old = {"session": cookie(ada, "session"), "remember_token": cookie(ada, "remember_token")}
    assert b"logged in on 2 devices" in ada.get("/settings").data
    assert ada.post("/settings/logout-everywhere").status_code == 302
    assert not logged_in(ada) and not logged_in(phone)
    assert not logged_in(replay(app, **old))


def test_sessions_expire(ctx, database):
    user = accounts.register_user("lin@example.com", "correct-horse", "Lin", utcnow())
    now = utcnow()
    token = sessions.start_session(user, False, timedelta(hours=1), now)
    assert sessions.user_for_token(token, now + timedelta(minutes=59)).id == user.id
    assert sessions.user_for_token(token, now + timedelta(hours=1)) is None
    assert sessions.user_for_token("not-a-token", now) is None
    later = sessions.start_session(user, False, timedelta(hours=1), now + timedelta(hours=2))
    rows = db.session.query(LoginSession).filter_by(user_id=user.id).count()
    assert rows == 1 and later != token  # the expired row was swept at the next login


def test_a_request_s_learner_is_a_snapshot_of_the_row_read_in_one_statement(ctx, database):
    from sqlalchemy import event

    from quizapp.models.user import LEARNER_COLUMNS
    from quizapp.models.user import Learner

    user = accounts.register_user("sam@example.com", "correct-horse", "Sam", utcnow())
    user.timezone, user.daily_goal, user.theme = "Europe/Berlin", 7, "dark"
    db.session.commit()
    now = utcnow()
    token = sessions.start_session(user, False, timedelta(hours=1), now)
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        learner = sessions.user_for_token(token, now)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    queries = [s for s in statements if "SAVEPOINT" not in s]  # the test's own transaction
    assert isinstance(learner, Learner) and len(queries) == 1
    assert "password_hash" not in queries[0]
    assert {name: getattr(learner, name) for name in LEARNER_COLUMNS} == {
        name: getattr(user, name) for name in LEARNER_COLUMNS}
    assert learner.get_id() == token and learner.is_authenticated and not learner.is_anonymous
    account = accounts.account_for(learner)  # the row, for a service that changes it
    assert account.id == user.id and account.login_token == token


def test_changing_the_password_keeps_this_device_logged_in(app, ada):
    phone = app.test_client()
    AuthActions(phone).login()
    page = ada.get("/settings").get_data(as_text=True)
    assert "logged in on 2 devices" in page
    reply = ada.post("/settings/password", data={
        "current": "correct-horse", "password": "a-new-long-passphrase-7",
        "confirm": "a-new-long-passphrase-7"})
    assert reply.status_code == 302, reply.get_data(as_text=True)[:500]
    assert logged_in(ada) and not logged_in(phone)


def test_the_per_request_token_digest_is_the_stored_one_and_bounded(monkeypatch):
    monkeypatch.setattr(sessions, "DIGEST_MEMORY", 3)
    sessions._DIGESTS.clear()
    tokens = [f"token-{n}" for n in range(7)]
    for token in tokens + tokens[:2]:
        assert sessions._request_digest(token) == sessions._digest(token)
    assert 0 < len(sessions._DIGESTS) <= 3
