"""Configuration from environment variables, with safe defaults for development."""

from __future__ import annotations

import os
import secrets
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_secret(instance_path: Path) -> str:
    """A per-checkout development key, created once so sessions survive restarts."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / "secret_key"
    try:  # create atomically with private permissions; another worker may win the race
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    for _ in range(50):
        if secret := key_file.read_text().strip():
            return secret
        time.sleep(0.01)
    raise RuntimeError(f"{key_file} is empty")


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the app config: defaults, then environment variables, then ``overrides``."""
    env = os.environ
    overrides = overrides or {}
    environment = overrides.get("ENV_NAME", env.get("QUIZAPP_ENV", "development"))
    secure_default = "0" if environment in {"development", "testing"} else "1"
    secure_cookies = env.get("SESSION_COOKIE_SECURE", secure_default) == "1"
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'quizapp.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    config: dict[str, Any] = {
        "ENV_NAME": environment,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pool_pre_ping: database.configure_engine pings connections that sat idle only.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "QUESTIONS_DIR": env.get("QUESTIONS_DIR", str(PROJECT_ROOT / "questions")),
        # Without Redis, counters per process (ratelimit_storage: no thread per hit)
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL", "quizapp-memory://"),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") != "0",
        # Off: Flask-Limiter would add a Retry-After to every page (and override the login
        # back-off's own); 429 pages get an exact Retry-After from the error handler instead.
        "RATELIMIT_HEADERS_ENABLED": False,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": env.get("LOGIN_ACCOUNT_CLIENT_RATE_LIMIT",
                                                   "5 per minute;20 per hour"),
        "LOGIN_BACKOFF_FREE_FAILURES": int(env.get("LOGIN_BACKOFF_FREE_FAILURES", "5")),
        "LOGIN_BACKOFF_MAX_SECONDS": int(env.get("LOGIN_BACKOFF_MAX_SECONDS", "60")),
        "LOGIN_BACKOFF_WINDOW_SECONDS": int(env.get("LOGIN_BACKOFF_WINDOW_SECONDS", "900")),
        "LOGIN_SESSION_HOURS": int(env.get("LOGIN_SESSION_HOURS", "24")),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(env.get("REMEMBER_DAYS", "30"))),
        "PASSWORD_RESET_MAX_AGE": int(env.get("PASSWORD_RESET_MAX_AGE", "3600")),
        "PUBLIC_URL": env.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/"),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "AUTH_RATE_LIMIT": env.get("AUTH_RATE_LIMIT", "10 per minute;50 per hour"),
        # the sandbox's budgets; unset, code_runs.RUN_LIMIT and run_budget.ANSWER_RUN_LIMIT
        **{name: env[name] for name in ("CODE_RUN_RATE_LIMIT", "CODE_ANSWER_RATE_LIMIT")
           if name in env},
        # No run of learners' code without bubblewrap's isolation (sandbox/policy.py)
        "SANDBOX_REQUIRE_ISOLATION": env.get(
            "SANDBOX_REQUIRE_ISOLATION",
            "0" if environment in {"development", "testing"} else "1") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "DEFAULT_DAILY_GOAL": 20,
        "REQUEST_LOG": env.get("REQUEST_LOG",
                               "off" if environment == "testing" else "logfmt"),
        "STATIC_BUILD_DIR": env.get("STATIC_BUILD_DIR", ""),
    }
    config.update(overrides)
    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret:
        if environment not in {"development", "testing"}:
            raise RuntimeError("SECRET_KEY must be set outside development")
        secret = _instance_secret(instance_path)
    config["SECRET_KEY"] = secret
    return config
