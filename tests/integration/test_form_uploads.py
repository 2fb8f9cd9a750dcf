"""A text field sent as a file upload reads as left empty: the form's message, never a 500."""

from __future__ import annotations

import io
import re

import pytest


def upload() -> tuple[io.BytesIO, str]:
    return io.BytesIO(b"not a form value"), "field.txt"


@pytest.mark.parametrize(("path", "fields", "as_file"), [
    ("/auth/register", {"display_name": "Bo", "password": "violet-kettle-harbour",
                        "confirm": "violet-kettle-harbour"}, "email"),
    ("/auth/register", {"email": "bo@example.com", "display_name": "Bo",
                        "confirm": "violet-kettle-harbour"}, "password"),
    ("/auth/login", {"password": "correct-horse"}, "email"),
    ("/auth/login", {"email": "ada@example.com"}, "password"),
])
def test_logged_out_forms(client, auth, path, fields, as_file):
    auth.register(login=False)
    response = client.post(path, data={**fields, as_file: upload()},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"This field is required" in response.data


@pytest.mark.parametrize(("path", "fields", "as_file"), [
    ("/settings/password", {"new": "violet-kettle-harbour",
                            "confirm": "violet-kettle-harbour"}, "current"),
    ("/account/delete", {"confirm": "y"}, "password"),
])
def test_logged_in_forms(client, auth, path, fields, as_file):
    auth.register()
    response = client.post(path, data={**fields, as_file: upload()},
                           content_type="multipart/form-data")
    assert response.status_code in (200, 400)
    assert b"This field is required" in response.data
    assert client.get("/").status_code == 200  # still logged in: nothing was changed


def test_settings_keep_the_stored_value_of_a_field_sent_as_a_file(client, auth):
    auth.register(name="Ada")
    response = client.post("/settings", data={
        "display_name": upload(), "daily_goal": "25", "timezone": "UTC", "theme": "system"},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get("/settings").get_data(as_text=True)
    assert 'value="Ada"' in page and 'value="25"' in page


def test_the_reset_form(app, client, auth):
    auth.register(login=False)
    result = app.test_cli_runner().invoke(args=["user", "reset-password", "ada@example.com"])
    link = re.search(r"http://127\.0\.0\.1:5000(/auth/reset/\S+)", result.output).group(1)
    response = client.post(link, data={"password": upload(), "confirm": "x"},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert b"This field is required" in response.data
