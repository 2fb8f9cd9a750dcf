"""Every SQLite connection gets the settings the app relies on."""

from sqlalchemy import create_engine
from sqlalchemy import text

from quizapp import database


def test_a_file_database_connection_is_set_up_for_wal_and_rare_checkpoints(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    database.configure_engine(engine)
    try:
        with engine.connect() as conn:
            settings = {name: conn.execute(text(f"PRAGMA {name}")).scalar_one() for name in (
                "journal_mode", "synchronous", "wal_autocheckpoint", "foreign_keys",
                "busy_timeout")}
    finally:
        engine.dispose()
    assert settings == {"journal_mode": "wal", "synchronous": 1,  # NORMAL
                        "wal_autocheckpoint": database.SQLITE_WAL_AUTOCHECKPOINT_PAGES,
                        "foreign_keys": 1, "busy_timeout": database.SQLITE_BUSY_TIMEOUT_MS}
    assert database.SQLITE_WAL_AUTOCHECKPOINT_PAGES > 1000  # SQLite's default
