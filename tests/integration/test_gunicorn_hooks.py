"""gunicorn.conf.py's hooks, called as gunicorn calls them."""

from __future__ import annotations

import gc
import importlib.util
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask

from quizapp import create_app
from quizapp.extensions import db
from quizapp.sandbox.pool import SPARES
from tests.conftest import make_config

CONF = Path(__file__).resolve().parents[2] / "gunicorn.conf.py"


@pytest.fixture()
def conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", CONF)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _server(app):
    return SimpleNamespace(app=SimpleNamespace(wsgi=lambda: app))


def _waiting() -> dict[str, int]:
    return {kind: SPARES.waiting(kind) for kind in ("", "numpy")}


def test_a_new_worker_starts_a_spare_jail_of_each_kind(conf, app):
    SPARES.discard()
    threshold = gc.get_threshold()
    try:
        conf.post_fork(_server(app), worker=None)
        assert gc.get_threshold() == (conf.WORKER_GC_THRESHOLD, *threshold[1:])
        deadline = time.monotonic() + 10
        while min(_waiting().values()) == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert _waiting() == {"": 1, "numpy": 1}
    finally:
        gc.set_threshold(*threshold)
        SPARES.discard()


@pytest.mark.parametrize("case", ["floor app", "skeleton app", "spares off"])
def test_no_spares_for_the_benchmarks_other_apps_or_when_turned_off(conf, app, monkeypatch,
                                                                    case):
    SPARES.discard()
    target = app
    if case == "floor app":
        target = Flask("floor")
    elif case == "skeleton app":  # another app with Flask-SQLAlchemy (load.py --skeleton)
        target = Flask("skeleton")
        target.extensions["sqlalchemy"] = object()
    else:  # what QUIZAPP_SANDBOX_SPARES=0 sets when the app is imported
        monkeypatch.setattr(SPARES, "per_kind", 0)
    conf.post_fork(_server(target), worker=None)
    time.sleep(0.3)
    assert _waiting() == {"": 0, "numpy": 0}


def test_only_quizapp_is_warmed_in_the_master(conf, tmp_path):
    skeleton = Flask("skeleton")
    skeleton.extensions["sqlalchemy"] = object()  # would fail if warmed as quizapp
    logged: list[str] = []
    server = _server(skeleton)
    server.log = SimpleNamespace(info=lambda *args: logged.append(args[0]),
                                 warning=lambda *args: logged.append(args[0]))
    conf.when_ready(server)
    assert logged == []
    # A quizapp of its own: the hook disposes of the engine, which would empty the shared
    # app's in-memory database.
    quizapp = create_app(make_config(f"sqlite:///{tmp_path / 'hooks.db'}", {}))
    with quizapp.app_context():
        db.create_all()
    server.app = SimpleNamespace(wsgi=lambda: quizapp)
    try:
        conf.when_ready(server)
    finally:
        gc.unfreeze()  # the hook freezes what the master loaded; this is a test process
    assert logged and logged[-1].startswith("rendered %d questions")
