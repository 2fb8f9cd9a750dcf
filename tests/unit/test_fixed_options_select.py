"""The time-zone select renders exactly what WTForms' own Select renders."""

import pytest
from flask import Flask
from wtforms.widgets import Select

from quizapp.forms import SettingsForm


@pytest.fixture
def request_context():
    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    with app.test_request_context("/settings"):
        yield


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "America/Argentina/Buenos_Aires",
                                  None, "Nope/Nowhere", "<script>"])
def test_markup_matches_wtforms(request_context, zone):
    form = SettingsForm(data={"timezone": zone} if zone else None)
    ours = str(form.timezone(**{"aria-invalid": "false", "class": "wide"}))
    form.timezone.widget = Select()
    assert ours == str(form.timezone(**{"aria-invalid": "false", "class": "wide"}))
    assert ours.count(" selected ") == (1 if zone in ("Europe/Paris", "UTC",
                                                      "America/Argentina/Buenos_Aires") else 0)


def test_the_selected_option_changes_with_the_data(request_context):
    first = str(SettingsForm(data={"timezone": "Asia/Tokyo"}).timezone())
    second = str(SettingsForm(data={"timezone": "Europe/Oslo"}).timezone())
    assert '<option selected value="Asia/Tokyo">' in first
    assert '<option value="Asia/Tokyo">' in second
    assert '<option selected value="Europe/Oslo">' in second
