"""Instructions per answer loop, counted by valgrind: a repeatable companion to load.py.

Wall-clock and CPU timings on a shared machine vary by 10-30 % between runs, too much to see
a 5 % change. This replays one learner's answer loop (GET question -> POST answer -> GET
feedback) in process, on SQLite, with code questions retired, randomness seeded and the
app's clock advancing 4 s per reading, and counts the CPU instructions of the replayed
loops only (callgrind, collection toggled by a client request from a tiny C library built
with gcc at start: a stripped Python binary has no symbol to toggle on). The floor is 3 x GET
/hello on the bare Flask app, counted the same way. Counts of the same code agree to 2-4 %;
they include the harness's own WSGI calls.

    .venv/bin/python benchmarks/instructions.py            # 10 loops (about 2 minutes)
    .venv/bin/python benchmarks/instructions.py --loops 20
"""

from __future__ import annotations

import argparse
import ctypes
import functools
import gc
import html
import importlib
import json
import logging
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import Flask

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadkit.client import CONTINUE  # noqa: E402
from benchmarks.loadkit.client import CSRF  # noqa: E402
from benchmarks.loadkit.client import answer_fields  # noqa: E402
from benchmarks.loadkit.database import fresh_database  # noqa: E402

PASSWORD = "instructions-passphrase-42"
COLLECTED = re.compile(r"Collected\s*:\s*(\d+)")


def _app(url: str, request_log: str = "off") -> Flask:
    from quizapp import create_app

    return create_app({"ENV_NAME": "production", "SECRET_KEY": "instructions",
                       "REQUEST_LOG": request_log, "SQLALCHEMY_DATABASE_URI": url,
                       "SESSION_COOKIE_SECURE": False})


def prepare_state(workdir: Path, url: str | None = None) -> Path:
    """A database with one learner logged in and a quiz started; its URLs and cookie.

    ``url`` is an empty database (by default a SQLite file in ``workdir``).
    """
    from benchmarks.loadkit.database import prepare

    url = url or f"sqlite:///{workdir / 'bench.db'}"
    prepare(url, sandboxed=False)
    _seed_randomness()  # the same quiz (question types, texts) in every run
    app = _app(url)
    web = app.test_client()
    token = CSRF.search(web.get("/auth/register").get_data(as_text=True)).group(1)
    web.post("/auth/register", data={"csrf_token": token, "email": "i@example.com",
                                     "display_name": "I", "password": PASSWORD,
                                     "confirm": PASSWORD})
    token = CSRF.search(web.get("/auth/login").get_data(as_text=True)).group(1)
    web.post("/auth/login", data={"csrf_token": token, "email": "i@example.com",
                                  "password": PASSWORD})
    token = CSRF.search(web.get("/").get_data(as_text=True)).group(1)
    start = web.post("/quiz/start", data={"csrf_token": token, "extra": "y"})
    state = workdir / "state.json"
    state.write_text(json.dumps({
        "url": url, "path": start.headers["Location"], "environ": web.environ_base,
        "cookie": "; ".join(f"{c.key}={c.value}" for c in web._cookies.values())}))
    from quizapp.extensions import db

    with app.app_context():
        db.engine.dispose()
    return state


def _seed_randomness() -> None:
    """Same FSRS fuzz, quiz picks and form keys in every replay."""
    unseeded = random.Random

    class Seeded(unseeded):
        def __init__(self, seed: object = None) -> None:
            super().__init__(1234 if seed is None else seed)

    random.Random = Seeded  # type: ignore[misc]
    from quizapp.randomness import request_rng

    request_rng().seed(1234)  # the app's per-process generator, made before this
    counter = iter(range(1, 10**9))
    uuid.uuid4 = lambda: uuid.UUID(int=next(counter))  # type: ignore[assignment]


def _freeze_clock() -> None:
    """The app's clock advances 4 s per reading, whatever valgrind's speed.

    Answer times are measured with it: on the real clock, a slower run (valgrind sharing the
    machine) answered "slowly", which changed the ratings and the scheduling code paths, and
    the counts moved by up to 9 % between runs of the same code.
    """
    from datetime import UTC
    from datetime import datetime
    from datetime import timedelta

    from quizapp.core import clock

    real = clock.utcnow
    start = datetime.now(UTC).replace(microsecond=0)
    ticks = iter(range(1, 10**9))

    def utcnow() -> datetime:
        return start + timedelta(seconds=4 * next(ticks))

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("quizapp") and getattr(
                module, "utcnow", None) is real:
            module.utcnow = utcnow  # type: ignore[attr-defined]


def _exclude(names: list[str], toggle: Callable[[], None], app: Flask) -> Callable[[], None]:
    """Stop counting inside each named function (``module:qualname``, or ``filters:name``
    and ``globals:name`` for the app's Jinja filters and globals); outermost call only.

    Returns the switch that arms it (before that, the functions run as they are).
    """
    depth, armed = 0, [False]

    def wrap(function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def uncounted(*args: Any, **kwargs: Any) -> Any:
            nonlocal depth
            if not armed[0]:
                return function(*args, **kwargs)
            depth += 1
            if depth == 1:
                toggle()
            try:
                return function(*args, **kwargs)
            finally:
                if depth == 1:
                    toggle()
                depth -= 1
        return uncounted

    for name in names:
        module_name, _, qualname = name.partition(":")
        if module_name in ("filters", "globals"):  # the app's Jinja filters and globals
            table = getattr(app.jinja_env, module_name)
            table[qualname] = wrap(table[qualname])
            continue
        owner: Any = importlib.import_module(module_name)
        *path, attribute = qualname.split(".")
        for part in path:
            owner = getattr(owner, part)
        setattr(owner, attribute, wrap(getattr(owner, attribute)))
    return lambda: armed.__setitem__(0, True)


def replay(state_file: Path, loops: int, floor: bool, exclude: list[str]) -> None:
    """Run under callgrind: warm up, then count ``loops`` loops (``toggle`` around them)."""
    from werkzeug.test import EnvironBuilder

    _seed_randomness()
    state = json.loads(state_file.read_text())
    if floor:
        from benchmarks.loadkit.floor_app import app
    else:
        app = _app(state["url"], request_log="logfmt")  # as served; lines go nowhere
        logging.getLogger("quizapp.request").handlers[:] = [logging.NullHandler()]
        from quizapp.services.warmup import compile_templates
        from quizapp.services.warmup import warm_render_cache

        with app.app_context():
            warm_render_cache(max_seconds=float("inf"))  # valgrind is slow: render all
            compile_templates(app)
        _freeze_clock()
    # As gunicorn's master does before forking (gunicorn.conf.py): what is loaded now stays
    # out of the garbage collections, which otherwise walked the whole heap now and then.
    gc.collect()
    gc.freeze()

    def call(method: str, path: str, form: list | None = None) -> tuple[dict, str]:
        body = urlencode(form) if form is not None else None
        environ = EnvironBuilder(
            method=method, path=path, headers={"Cookie": state["cookie"]},
            environ_base=state["environ"], data=body,
            content_type="application/x-www-form-urlencoded" if body else None).get_environ()
        started: list = []
        text = b"".join(app(environ, lambda status, headers, exc=None: started.append(headers)))
        return dict(started[0]), text.decode()

    path = state["path"]

    def answer_loop(count: int, _: object) -> int:
        nonlocal path
        if floor:
            for _ in range(3):
                call("GET", "/hello")
            return count + 1
        _, page = call("GET", path)
        action, fields = answer_fields(page)
        headers, _ = call("POST", action, fields)
        _, feedback = call("GET", headers["Location"].replace("http://localhost", ""))
        path = html.unescape(CONTINUE.search(feedback).group(1))
        return count + 1

    for _ in range(8):  # warm-up: outside the counted call
        answer_loop(0, None)
    toggle = ctypes.CDLL(str(state_file.with_name("toggle.so"))).toggle
    arm = _exclude(exclude, toggle, app)
    toggle()
    arm()
    functools.reduce(answer_loop, range(loops), 0)
    toggle()


TOGGLE_C = """#include <valgrind/callgrind.h>
void toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
"""


def build_toggle(workdir: Path) -> None:
    """``toggle.so`` next to the state file: its ``toggle()`` turns counting on and off."""
    source = workdir / "toggle.c"
    source.write_text(TOGGLE_C)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(workdir / "toggle.so"),  # noqa: S603,S607
                    str(source)], check=True)


def count(state: Path, loops: int, floor: bool, exclude: list[str] = ()) -> float:
    """Instructions (millions) per loop of the replay, under callgrind."""
    command = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
               "--callgrind-out-file=/dev/null",
               sys.executable, __file__, "--replay", str(state), "--loops", str(loops)]
    if floor:
        command.append("--floor")
    for name in exclude:
        command += ["--exclude", name]
    result = subprocess.run(command, capture_output=True, text=True, check=False,  # noqa: S603
                            env={**os.environ, "PYTHONHASHSEED": "0"})
    match = COLLECTED.search(result.stderr)
    if result.returncode != 0 or match is None:
        raise SystemExit(f"valgrind run failed:\n{result.stderr[-2000:]}")
    return int(match.group(1)) / loops / 1e6


def _save(workdir: Path) -> Path:
    saved = workdir / "saved"
    saved.mkdir()
    for file in workdir.glob("bench.db*"):
        shutil.copy2(file, saved / file.name)
    return saved


def _restore(workdir: Path, saved: Path) -> None:
    for file in workdir.glob("bench.db*"):
        file.unlink()
    for file in saved.iterdir():
        shutil.copy2(file, workdir / file.name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loops", type=int, default=10)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--replay", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--exclude", action="append", default=[], metavar="MODULE:NAME",
                        help="also count without this function (its share of the loop)")
    args = parser.parse_args()
    if args.replay:
        replay(args.replay, args.loops, args.floor, args.exclude)
        return
    if args.exclude and args.db != "sqlite":
        raise SystemExit("--exclude replays the same quiz twice: SQLite only")
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-instructions-"))
    try:
        with fresh_database(args.db, "instructions") as url:
            state = prepare_state(workdir, None if args.db == "sqlite" else url)
            build_toggle(state.parent)
            floor = count(state, args.loops, floor=True)
            saved = _save(workdir) if args.exclude else None
            app = count(state, args.loops, floor=False)
            without = None
            if saved:  # the same quiz again, from the same database
                _restore(workdir, saved)
                without = count(state, args.loops, floor=False, exclude=args.exclude)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    where = "SQLite" if args.db == "sqlite" else "PostgreSQL, the app's side"
    print(f"floor (bare Flask, 3 x GET /hello): {floor:.2f} M instructions per loop")
    print(f"quizapp answer loop (question, answer, feedback; {where}): {app:.2f} M")
    print(f"answer loop: {app:.2f} M instructions, {app / floor:.1f}x the floor "
          f"({floor / app:.3f}x in the issue's terms)")
    if without is not None:
        print(f"without {', '.join(args.exclude)}: {without:.2f} M "
              f"({(app - without) / app:.1%} of the loop is in them)")


if __name__ == "__main__":
    main()
