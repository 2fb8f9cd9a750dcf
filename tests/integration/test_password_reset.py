"""An operator's one-time, expiring reset link lets a learner choose a new password."""

import re

import pytest

from tests.conftest import AuthActions


@pytest.fixture
def reset_link(app, client, auth):
    auth.register(login=False)
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "Ada@Example.com"])
    assert result.exit_code == 0, result.output
    return re.search(r"http://127\.0\.0\.1:5000(/auth/reset/\S+)", result.output).group(1)


def set_password(client, link: str, password: str = "violet-kettle-harbour"):
    return client.post(link, data={"password": password, "confirm": password})


def test_the_link_sets_a_new_password_once(app, client, reset_link):
    assert b"Choose a new password" in client.get(reset_link).data
    response = set_password(client, reset_link)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    fresh = AuthActions(app.test_client())
    assert fresh.login(password="correct-horse").status_code == 400
    assert fresh.login(password="violet-kettle-harbour").status_code == 302
    assert client.get(reset_link).status_code == 404  # used: the link is dead
    assert set_password(client, reset_link, "another-fine-passphrase").status_code == 404


def test_a_reset_logs_out_every_device(app, reset_link):
    laptop = app.test_client()
    AuthActions(laptop).login(remember=True)
    assert b"Hello, Ada" in laptop.get("/").data
    set_password(app.test_client(), reset_link)
    assert b"Hello, Ada" not in laptop.get("/").data


def test_the_link_expires(app, client, reset_link):
    app.config["PASSWORD_RESET_MAX_AGE"] = -1
    try:
        assert client.get(reset_link).status_code == 404
    finally:
        app.config["PASSWORD_RESET_MAX_AGE"] = 3600


def test_a_tampered_link_is_refused(client, reset_link):
    assert client.get(reset_link[:-2] + "xx").status_code == 404
    response = client.get("/auth/reset/not-a-token")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "This reset link does not work" in page and 'href="/auth/login"' in page
    assert "Links work for 1 hour and only once." in page  # PASSWORD_RESET_MAX_AGE: 3600


def test_a_weak_new_password_is_refused_and_the_link_still_works(client, reset_link):
    response = set_password(client, reset_link, "password")
    assert response.status_code == 400 and b"too easy to guess" in response.data
    assert client.get(reset_link).status_code == 200


def test_unknown_email_is_an_error(app, database):
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "nobody@example.com"])
    assert result.exit_code != 0 and "No account" in result.output
