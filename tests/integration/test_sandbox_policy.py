"""A production server runs no learner code without the sandbox's isolation."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func
from sqlalchemy import select

from quizapp import create_app
from quizapp.config import load_config
from quizapp.extensions import db
from quizapp.extensions import limiter
from quizapp.models import Attempt
from quizapp.sandbox import policy
from quizapp.sandbox import process
from tests.integration.test_code_questions import BANK
from tests.integration.test_code_questions import _form
from tests.integration.test_code_questions import start_on_bank


@pytest.fixture
def without_bubblewrap(app, monkeypatch):
    """A machine where bubblewrap cannot jail (only the rlimits fallback works), and a
    process whose app requires isolation; the policy is restored afterwards."""
    monkeypatch.setattr(process, "sandbox_mode", lambda: "rlimits")
    monkeypatch.delenv("QUIZAPP_SANDBOX_MODE", raising=False)
    started = []
    monkeypatch.setattr(process, "start_jail", lambda *a, **k: started.append(a) or 1 / 0)
    saved = policy._required
    policy.require_isolation(True)
    limiter.reset()  # "Run examples" is limited per learner (ids repeat between tests)
    yield started
    policy.require_isolation(saved)
    limiter.reset()


def test_production_requires_isolation_and_development_does_not(tmp_path, monkeypatch):
    monkeypatch.delenv("SANDBOX_REQUIRE_ISOLATION", raising=False)
    required = {name: load_config(tmp_path, {"ENV_NAME": name, "SECRET_KEY": "k" * 32})[
        "SANDBOX_REQUIRE_ISOLATION"] for name in ("production", "development", "testing")}
    assert required == {"production": True, "development": False, "testing": False}
    monkeypatch.setenv("SANDBOX_REQUIRE_ISOLATION", "0")
    assert not load_config(tmp_path, {"ENV_NAME": "production", "SECRET_KEY": "k" * 32})[
        "SANDBOX_REQUIRE_ISOLATION"]


def test_without_bubblewrap_only_an_explicit_choice_runs_code(without_bubblewrap, monkeypatch):
    with pytest.raises(policy.SandboxUnavailable, match="install bubblewrap"):
        policy.check()
    assert isinstance(policy.SandboxUnavailable("x"), OSError)  # what the graders catch
    monkeypatch.setenv("QUIZAPP_SANDBOX_MODE", "rlimits")  # the operator accepts it
    assert policy.isolation_problem() is None
    monkeypatch.delenv("QUIZAPP_SANDBOX_MODE")
    policy.require_isolation(False)  # a developer's machine
    assert policy.isolation_problem() is None


def test_a_code_answer_is_refused_with_its_code_kept_and_nothing_runs(
        client, auth, tmp_path, without_bubblewrap):
    url, page = start_on_bank(client, auth, tmp_path, BANK)
    code = "def double(x):\n    return 2 * x\n"
    refused = client.post(url, data=_form(page, code))
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "The code runner is unavailable right now" in text
    assert "return 2 * x" in text  # kept in the editor
    examples = client.post(url + "/run", data=_form(page, code),
                           headers={"X-Requested-With": "fetch"})
    assert "The code runner is unavailable right now" in examples.get_data(as_text=True)
    assert without_bubblewrap == []  # no jail, no fallback process
    assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_production_app_says_at_start_why_it_refuses_code(without_bubblewrap, tmp_path,
                                                            caplog):
    with caplog.at_level(logging.ERROR):
        create_app({"ENV_NAME": "production", "SECRET_KEY": "k" * 32,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    assert any("cannot isolate runs" in record.getMessage() for record in caplog.records)
