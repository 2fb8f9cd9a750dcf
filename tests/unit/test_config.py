import pytest

from quizapp.config import load_config


def test_development_generates_and_keeps_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = load_config(tmp_path, {"ENV_NAME": "development"})["SECRET_KEY"]
    again = load_config(tmp_path, {"ENV_NAME": "development"})["SECRET_KEY"]
    assert len(first) >= 32 and first == again
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config(tmp_path, {"ENV_NAME": "production"})
    monkeypatch.setenv("SECRET_KEY", "from-env")
    assert load_config(tmp_path, {"ENV_NAME": "production"})["SECRET_KEY"] == "from-env"


def test_default_database_is_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = load_config(tmp_path, {"ENV_NAME": "testing"})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'quizapp.db'}"


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_use_psycopg3(tmp_path, monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    config = load_config(tmp_path, {"ENV_NAME": "testing"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_redis_url_backs_the_rate_limiter(tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert load_config(tmp_path, {"ENV_NAME": "testing"})["RATELIMIT_STORAGE_URI"] == "quizapp-memory://"
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    config = load_config(tmp_path, {"ENV_NAME": "testing"})
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_production_uses_secure_cookies_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "k")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    config = load_config(tmp_path, {"ENV_NAME": "production"})
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    dev = load_config(tmp_path, {"ENV_NAME": "development"})
    assert not dev["SESSION_COOKIE_SECURE"] and not dev["REMEMBER_COOKIE_SECURE"]


def test_rate_limits_fall_back_to_memory_if_redis_is_down(tmp_path):
    assert load_config(tmp_path, {"ENV_NAME": "testing"})["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"]


def test_the_sandbox_budgets_come_from_the_environment_when_set(tmp_path, monkeypatch):
    monkeypatch.delenv("CODE_RUN_RATE_LIMIT", raising=False)
    monkeypatch.delenv("CODE_ANSWER_RATE_LIMIT", raising=False)
    assert "CODE_ANSWER_RATE_LIMIT" not in load_config(tmp_path, {"ENV_NAME": "testing"})
    monkeypatch.setenv("CODE_ANSWER_RATE_LIMIT", "30 per minute")
    monkeypatch.setenv("CODE_RUN_RATE_LIMIT", "5 per minute")
    config = load_config(tmp_path, {"ENV_NAME": "testing"})
    assert (config["CODE_ANSWER_RATE_LIMIT"], config["CODE_RUN_RATE_LIMIT"]) == (
        "30 per minute", "5 per minute")
