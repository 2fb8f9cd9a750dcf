"""The learner's "focus" setting: saved from the settings page, used by the daily review."""

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import User
from quizapp.services import accounts
from quizapp.services import quizzes
from tests.conftest import NOW

FORM = {"display_name": "Ada", "daily_goal": "20", "timezone": "UTC"}


def test_focus_is_offered_saved_and_shown(client, auth):
    auth.register()
    page = client.get("/settings").get_data(as_text=True)
    assert "Weak areas first" in page
    response = client.post("/settings", data={**FORM, "focus": "weak"})
    assert response.status_code == 302
    assert db.session.scalars(select(User)).one().focus == "weak"
    page = client.get("/settings").get_data(as_text=True)
    assert '<option selected value="weak">' in page or 'value="weak" selected' in page


def test_unknown_focus_is_refused_and_changes_nothing(client, auth):
    auth.register()
    response = client.post("/settings", data={**FORM, "daily_goal": "30", "focus": "all"})
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    user = db.session.scalars(select(User)).one()
    assert (user.focus, user.daily_goal) == ("balanced", 20)


def test_service_refuses_an_unknown_focus(ctx):
    user = accounts.register_user("f@example.com", "long-password", "F", NOW)
    with pytest.raises(ValueError, match="unknown focus"):
        accounts.update_settings(user, "F", 20, "UTC", "everything")
    assert user.focus == "balanced"


def test_daily_request_carries_the_learners_focus(ctx):
    user = accounts.register_user("g@example.com", "long-password", "G", NOW)
    accounts.update_settings(user, "G", 20, "UTC", "weak")
    assert quizzes.daily_request(user, NOW).focus == "weak"
