"""Configuration from environment variables, with safe defaults for development."""

from __future__ import annotations

import os
import secrets
import time
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
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "QUESTIONS_DIR": env.get("QUESTIONS_DIR", str(PROJECT_ROOT / "questions")),
        "RATELIMIT_STORAGE_URI": env.get("REDIS_URL", "memory://"),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "1") != "0",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "LOGIN_EMAIL_RATE_LIMIT": env.get("LOGIN_EMAIL_RATE_LIMIT", "30 per hour"),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "AUTH_RATE_LIMIT": env.get("AUTH_RATE_LIMIT", "10 per minute;50 per hour"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "DEFAULT_DAILY_GOAL": 20,
    }
    config.update(overrides)
    secret = overrides.get("SECRET_KEY") or env.get("SECRET_KEY")
    if not secret:
        if environment not in {"development", "testing"}:
            raise RuntimeError("SECRET_KEY must be set outside development")
        secret = _instance_secret(instance_path)
    config["SECRET_KEY"] = secret
    return config
