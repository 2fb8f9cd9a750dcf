"""WTForms (Flask-WTF: CSRF on every form)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo
from zoneinfo import available_timezones

from flask import request
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto as _AUTO
from flask_wtf.form import _is_submitted as is_submitted
from markupsafe import Markup
from wtforms import BooleanField
from wtforms import Choice
from wtforms import DateField
from wtforms import EmailField
from wtforms import HiddenField
from wtforms import IntegerField
from wtforms import PasswordField
from wtforms import SelectChoice
from wtforms import SelectField
from wtforms import StringField
from wtforms import SubmitField
from wtforms.validators import DataRequired
from wtforms.validators import Email
from wtforms.validators import EqualTo
from wtforms.validators import InputRequired
from wtforms.validators import Length
from wtforms.validators import NumberRange
from wtforms.validators import Optional
from wtforms.validators import ValidationError
from wtforms.widgets import Select
from wtforms.widgets import html_params

from quizapp.core.plan import MAX_PLAN_DAYS
from quizapp.csrf_tokens import FormCSRF
from quizapp.password_policy import MAX_LENGTH
from quizapp.password_policy import password_problem

TIMEZONES = sorted(tz for tz in available_timezones() if "/" in tz or tz == "UTC")
TIMEZONE_SET = frozenset(TIMEZONES)
MAX_DAILY_GOAL = 200  # questions a day


def known_timezone(name: str | None) -> str:
    """``name`` when it is one of ``TIMEZONES``, else UTC."""
    return name if name in TIMEZONE_SET else "UTC"


class FixedOptionsSelect(Select):
    """``Select`` over a long list of plain choices that never changes (the time zones).

    WTForms renders every ``<option>`` on every page: with 600 time zones that was about
    10 ms, most of the settings page. Here the options are rendered once per list (by
    WTForms' own ``render_option``, so the markup is the same) and only the selected one is
    rendered per page.
    """

    def __init__(self) -> None:
        super().__init__()
        self._rendered: dict[int, tuple[list[str], dict[str, int]]] = {}

    def __call__(self, field: SelectField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for name in self.validation_attrs:
            if name not in kwargs and getattr(flags, name, False):
                kwargs[name] = getattr(flags, name)
        options, index = self._options(field.choices)
        html = list(options)
        position = index.get(str(field.data))
        if position is not None:
            value = field.choices[position]
            html[position] = self.render_option(Choice(value, value, True, {}))
        # html_params escapes the attributes; the options are WTForms' escaped markup
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>"  # noqa: S704
                      f"{''.join(html)}</select>")

    def _options(self, choices: list[str]) -> tuple[list[str], dict[str, int]]:
        known = self._rendered.get(id(choices))
        if known is None or len(known[0]) != len(choices):
            rendered = [self.render_option(Choice(value, value, False, {})) for value in choices]
            known = (rendered, {value: i for i, value in enumerate(choices)})
            self._rendered[id(choices)] = known
        return known


def visible_name(form: Any, field: StringField) -> None:
    """A display name must show something: not only spaces, zero-width or control characters
    (a leaderboard row would look blank)."""
    if not any(unicodedata.category(ch)[0] in "LNPS" for ch in field.data or ""):
        raise ValidationError("Use at least one letter, digit or symbol.")


class StrongPassword:
    """NIST 800-63B: 8 to 256 characters, not common, not about this account."""

    def __init__(self, *context_fields: str) -> None:
        self.context_fields = context_fields

    def __call__(self, form: FlaskForm, field: PasswordField) -> None:
        context = [str(form[name].data or "") for name in self.context_fields]
        if extra := getattr(form, "account_context", None):
            context += extra
        if problem := password_problem(field.data or "", context):
            raise ValidationError(problem)


class AppForm(FlaskForm):
    """Every form of the app: its CSRF field carries the remembered token (csrf_tokens).

    Fields are read from the posted form only. Flask-WTF would also merge in uploaded files
    (and a JSON body): a text field sent as a file upload then reached the validators as a
    ``FileStorage`` and failed the request with a 500. No form here takes a file, so an
    upload reads as the field left empty and gets the form's own message.
    """

    class Meta:
        csrf_class = FormCSRF

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            if formdata is not _AUTO:
                return formdata
            return request.form if is_submitted() and request.form else None


class RegisterForm(AppForm):
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False),
                                            Length(max=254)])
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80),
                                                           visible_name])
    password = PasswordField("Password", validators=[
        DataRequired(), StrongPassword("email", "display_name")])
    confirm = PasswordField("Repeat password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])
    # the browser's time zone (app.js fills it in); anything not in the list means UTC
    timezone = HiddenField(render_kw={"data-detect-timezone": ""})
    submit = SubmitField("Create account")

    def chosen_timezone(self) -> str:
        return known_timezone(self.timezone.data)


class LoginForm(AppForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    remember = BooleanField("Keep me logged in")
    next = HiddenField()
    submit = SubmitField("Log in")


class SmallIntegerField(IntegerField):
    """An ``IntegerField`` for small ranges: a whole number of more than nine digits is
    read as ±10**9, which its ``NumberRange`` then refuses with the range in the message.
    ``NumberRange`` compares through ``float``, and a number past 1e308 raised
    ``OverflowError`` there (a server error instead of the form's message)."""

    MAX_DIGITS = 9

    def process_formdata(self, valuelist: list[Any]) -> None:
        text = str(valuelist[0]).strip() if valuelist else ""
        digits = text.removeprefix("-").removeprefix("+")
        if len(digits) > self.MAX_DIGITS:
            if not (digits.isascii() and digits.isdigit()):
                self.data = None
                raise ValueError(self.gettext("Not a valid integer value."))
            self.data = -(10 ** self.MAX_DIGITS) if text.startswith("-") else 10 ** self.MAX_DIGITS
            return
        super().process_formdata(valuelist)


class SettingsForm(AppForm):
    display_name = StringField("Display name", validators=[DataRequired(), Length(max=80),
                                                           visible_name])
    daily_goal = SmallIntegerField("Daily goal (questions per daily review)", validators=[
        InputRequired(), NumberRange(min=1, max=MAX_DAILY_GOAL)])
    timezone = SelectField("Time zone (when your day starts)", choices=TIMEZONES,
                           widget=FixedOptionsSelect())
    focus = SelectField("New questions in daily reviews", default="balanced", choices=[
        SelectChoice("balanced", "Balanced"), SelectChoice("weak", "Weak areas first")])
    interview_date = DateField("Interview date", validators=[Optional()])
    target_readiness = SmallIntegerField("Target readiness (10-100)", default=80, validators=[
        Optional(), NumberRange(min=10, max=100)])
    target_retention = SelectField("Target retention", coerce=float, default=0.9, choices=[
        SelectChoice("0.8", "80 %"), SelectChoice("0.85", "85 %"),
        SelectChoice("0.9", "90 % (recommended)"), SelectChoice("0.95", "95 %")])
    theme = SelectField("Theme", default="system", choices=[
        SelectChoice("system", "Same as my device"), SelectChoice("light", "Light"),
        SelectChoice("dark", "Dark")])
    leaderboard_opt_in = BooleanField("Show me on the leaderboard")
    submit = SubmitField("Save settings")

    def validate_interview_date(self, field: DateField) -> None:
        """A plan needs a date from today (in the learner's time zone) to a year ahead. A
        stored date that has since passed is kept when other settings are saved: the
        dashboard says it has passed."""
        if not field.data:
            return
        today = datetime.now(ZoneInfo(known_timezone(self.timezone.data))).date()
        if field.data > today + timedelta(days=MAX_PLAN_DAYS):
            raise ValidationError("Pick a date within a year from today.")
        if field.data < today and field.data != field.object_data:
            raise ValidationError("That date has passed. Pick today or a later date, or "
                                  "leave it empty.")


class StartQuizForm(AppForm):
    extra = BooleanField(validators=[Optional()])
    submit = SubmitField("Start daily review")


@dataclass(frozen=True)
class AnswerPost:
    """The answer form's hidden fields, as posted, checked as a WTForms form did.

    Not a WTForms form: building one (its fields, their validators, the form's metadata)
    was 3.7 % of the answer loop's instructions, for four hidden values. Its CSRF token is
    checked once, by ``CSRFProtect`` before the view runs (as for every POST). A blank
    ``hints_used`` or ``shown`` counts as absent.
    """

    key: str
    hints_used: str
    version: str
    shown: str

    @classmethod
    def read(cls, form: Mapping[str, Any]) -> AnswerPost:
        """The four fields from ``form`` (a missing one as ""), not yet checked."""
        values = [form.get(name) for name in ("key", "hints_used", "version", "shown")]
        key, hints, version, shown = (value if isinstance(value, str) else ""
                                      for value in values)
        return cls(key, hints if hints.strip() else "0", version,
                   shown if shown.strip() else "")

    @property
    def valid(self) -> bool:
        return (_ANSWER_KEY.fullmatch(self.key) is not None
                and _HINTS_USED.fullmatch(self.hints_used) is not None
                and _VERSION.fullmatch(self.version) is not None
                and len(self.shown) <= MAX_SHOWN_CHARS)


_ANSWER_KEY = re.compile(r"[0-9a-f]{32}")  # uuid4().hex, written by the question page
_HINTS_USED = re.compile(r"[01]")
# The question version as the page wrote it: one spelling per number, so that "01" cannot
# pass for another version where it is compared as text.
_VERSION = re.compile(r"0|[1-9][0-9]{0,8}")
MAX_SHOWN_CHARS = 160  # the signed shown-at stamp (``shown_stamps``)


class ChangePasswordForm(AppForm):
    current = PasswordField("Current password", validators=[DataRequired(),
                                                            Length(max=MAX_LENGTH)])
    password = PasswordField("New password", validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField("Repeat new password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])
    submit = SubmitField("Change password")


class ResetPasswordForm(AppForm):
    password = PasswordField("New password", validators=[DataRequired(), StrongPassword()])
    confirm = PasswordField("Repeat new password", validators=[
        DataRequired(), EqualTo("password", message="The passwords do not match.")])
    submit = SubmitField("Set new password")


class EmptyForm(AppForm):
    """A form with only the CSRF token (logout and other one-button actions)."""


class DailyGoalForm(AppForm):
    """One click from the dashboard: set the daily goal to what the interview plan asks."""

    goal = SmallIntegerField("Daily goal", validators=[InputRequired(),
                                                       NumberRange(min=1, max=MAX_DAILY_GOAL)])


class ReplayForm(AppForm):
    days = SelectField("Misses from the last (days)", coerce=int, default=14,
                       choices=["3", "7", "14", "30", "90"])
    submit = SubmitField("Replay misses")


class MockForm(AppForm):
    minutes = SelectField("Length (minutes)", coerce=int, default=30, choices=["30", "45"])
    submit = SubmitField("Start mock interview")


class DrillForm(AppForm):
    """Topic ids and domain names come as repeated ``topic`` / ``domain`` checkboxes."""

    size = SelectField("Questions", coerce=int, default=10, choices=["5", "10", "20", "30"])
    submit = SubmitField("Start drill")


class DeleteAccountForm(AppForm):
    password = PasswordField("Your password", validators=[DataRequired(), Length(max=MAX_LENGTH)])
    submit = SubmitField("Delete my account and all my data")
