"""quizapp: adaptive interview-preparation quizzes for ML engineers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from quizapp import models  # noqa: F401  (register the models with the metadata)
from quizapp.app_class import QuizFlask
from quizapp.config import load_config
from quizapp.cookie_sessions import VerifiedCookieSessions
from quizapp.database import configure_engine
from quizapp.database import read_outside_transactions
from quizapp.extensions import csrf
from quizapp.extensions import db
from quizapp.extensions import limiter
from quizapp.extensions import login_manager
from quizapp.extensions import migrate
from quizapp.models.types import render_alembic_item
from quizapp.session_reuse import init_session_reuse
from quizapp.web import register_web


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create and configure an app; ``config`` overrides the environment."""
    app = QuizFlask(__name__, instance_relative_config=True)
    app.config.from_mapping(load_config(Path(app.instance_path), config))
    app.session_interface = VerifiedCookieSessions()
    if proxies := app.config["TRUSTED_PROXIES"]:  # behind N proxies: trust their headers
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    db.init_app(app)
    init_session_reuse(app, db)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"),
                     render_as_batch=True, compare_type=True,
                     render_item=render_alembic_item)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    app.before_request(lambda: read_outside_transactions(db.session))
    _sandbox_policy(app)
    register_web(app)
    from quizapp.cli import register_cli

    register_cli(app)
    from quizapp.user_cli import user_cli

    app.cli.add_command(user_cli)
    return app


def _sandbox_policy(app: Flask) -> None:
    """Apply the app's sandbox isolation setting; say at start when it refuses every run."""
    from quizapp.sandbox import policy

    policy.require_isolation(app.config["SANDBOX_REQUIRE_ISOLATION"])
    if (problem := policy.isolation_problem()) is not None:
        app.logger.error("%s", problem)
