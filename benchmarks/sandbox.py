"""Sandbox verdict latency, burst throughput, and the web app's response time meanwhile.

1. Latency: one full submission (reference solution, every test, one sandboxed process) of a
   numpy question, a plain-Python one and a SQL one, ``--runs`` times each, one at a time:
   p50/p95, as a learner gets it (a spare jail started after the previous run is waiting,
   ``sandbox/pool.py``) and cold (no spares: the jail starts when the job comes).
   Baseline in the same run: starting the same interpreter with ``import numpy`` and nothing
   else (no jail, no limits), so the ratio shows what the jail and the tests add.
   Then the whole machine's CPU per submission, forked by the fork server (as root) against
   a fresh jail per run (``QUIZAPP_SANDBOX_FORK=0``), measured in turn in the same run.
2. Burst: 8 submissions at once (threads; the sandbox admits one per CPU, the rest wait),
   repeated 3 times: submissions per second. Meanwhile a second process serves the app
   (werkzeug, threaded, SQLite file, on 127.0.0.1) and the benchmark GETs a question page
   in a loop: its p95 during the burst vs. before it.

    .venv/bin/python benchmarks/sandbox.py [--runs 30]

The last line reads ``sandbox: numpy p50 X s, sql p50 Y s``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.loadkit.server import machine_busy_seconds  # noqa: E402
from quizapp.bank.loader import load_bank  # noqa: E402
from quizapp.grading.registry import REGISTRY  # noqa: E402
from quizapp.sandbox import concurrency  # noqa: E402
from quizapp.sandbox import forkserver  # noqa: E402
from quizapp.sandbox import sandbox_mode  # noqa: E402
from quizapp.sandbox.pool import SPARES  # noqa: E402
from quizapp.sandbox.pool import kind_of  # noqa: E402

NUMPY_QUESTION = "coding.ml-from-scratch.softmax-rows"
PLAIN_QUESTION = "coding.python-fundamentals.batched-generator-code"
SQL_QUESTION = "coding.sql-analytics.running-total"
BURST = 8
THINK_SECONDS = 0.3  # between submissions in the latency runs (learners take longer)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def submission(uid: str):
    """A callable that submits the reference solution of question ``uid``."""
    bank = load_bank(ROOT / "questions" / "coding")
    question = next(q for q in bank.questions if q.uid == uid)
    kind = REGISTRY[question.type]
    payload = kind.load(question.payload)
    spare = kind_of(kind.job(payload, payload.solution))

    def submit(think: bool = False) -> float:
        """One submission; ``think``: after a learner's pause (a spare jail started and warmed
        up in it, when spares are on)."""
        if think and SPARES.per_kind and not SPARES.ready((spare,)):
            raise SystemExit("no spare jail got ready in 10 s")
        if think:
            time.sleep(THINK_SECONDS)
        started = time.perf_counter()
        result = kind.run(payload, payload.solution)
        if not all(r["passed"] for r in result["results"]):
            raise SystemExit(f"{uid}: the reference solution failed: {result['results']}")
        return time.perf_counter() - started

    return submit


def use_fork_server(on: bool) -> None:
    os.environ["QUIZAPP_SANDBOX_FORK"] = "1" if on else "0"
    forkserver.available.cache_clear()
    SPARES.discard()


def cpu_per_submission(submits: dict, runs: int) -> None:
    """The whole machine's CPU per submission (the jails' processes are in no child time of
    ours), one after another, forked and with fresh jails, alternating twice."""
    spent: dict[tuple[str, bool], list[float]] = {}
    for fork in (True, False, False, True):
        use_fork_server(fork)
        for name, submit in submits.items():
            submit()  # a server and a spare of this kind started
            before = machine_busy_seconds()
            for _ in range(runs):
                submit()
            spent.setdefault((name, fork), []).append((machine_busy_seconds() - before) / runs)
    use_fork_server(True)
    for name in submits:
        forked, fresh = (1000 * statistics.mean(spent[name, fork]) for fork in (True, False))
        print(f"{name:5} submission, whole machine's CPU: {forked:.1f} ms forked, "
              f"{fresh:.1f} ms with a fresh jail ({forked / fresh:.2f}x)")


def bare_python(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-I", "-B", "-c", "import numpy"], check=True,
                       env={"OPENBLAS_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"})
        times.append(time.perf_counter() - started)
    return times


def serve(db_path: str, port: int) -> None:
    """Child process: the app on ``db_path`` with the coding bank, on 127.0.0.1:``port``."""
    from werkzeug.serving import make_server

    from quizapp import create_app
    from quizapp.core.clock import utcnow
    from quizapp.extensions import db
    from quizapp.services.bank_sync import sync_bank

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False, "AUTH_RATE_LIMIT": "100000 per minute",
                      "LOGIN_ACCOUNT_CLIENT_RATE_LIMIT": "100000 per minute",
                      "RATELIMIT_STORAGE_URI": "memory://", "ENV_NAME": "development",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False})
    with app.app_context():
        db.create_all()
        sync_bank(load_bank(ROOT / "questions" / "coding"), utcnow())
    make_server("127.0.0.1", port, app, threaded=True).serve_forever()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server() -> tuple[subprocess.Popen[bytes], str, urllib.request.OpenerDirector]:
    """Start the app, register, start a quiz; return the process, a question URL, a client."""
    port = _free_port()
    db_path = os.path.join(tempfile.mkdtemp(prefix="bench-sandbox-"), "app.db")
    proc = subprocess.Popen([sys.executable, __file__, "--serve", db_path, str(port)],  # noqa: S603
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    deadline = time.monotonic() + 60
    while True:
        try:
            client.open(base + "/auth/login", timeout=2).read()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise SystemExit("the app did not start") from None
            time.sleep(0.2)
    password = "benchmark-horse-battery-9"

    def post(path: str, data: dict[str, str]) -> str:
        body = urllib.parse.urlencode(data).encode()
        return client.open(base + path, data=body, timeout=10).geturl()

    post("/auth/register", {"email": "bench@example.com", "display_name": "Bench",
                            "password": password, "confirm": password})
    post("/auth/login", {"email": "bench@example.com", "password": password})
    question_url = post("/quiz/start", {})
    if "/q/" not in question_url:
        raise SystemExit(f"no question page after starting a quiz: {question_url}")
    return proc, question_url, client


def page_times(client: urllib.request.OpenerDirector, url: str, stop: threading.Event,
               out: list[float]) -> None:
    while not stop.is_set():
        started = time.perf_counter()
        with client.open(url, timeout=10) as response:
            response.read()
        out.append(time.perf_counter() - started)
        time.sleep(0.02)


def measure_pages(client, url: str, seconds: float) -> list[float]:
    out: list[float] = []
    stop = threading.Event()
    thread = threading.Thread(target=page_times, args=(client, url, stop, out))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    print(f"sandbox mode: {sandbox_mode()}, concurrency bound {concurrency()}, "
          f"{os.cpu_count()} CPUs")
    submits = {name: submission(uid) for name, uid in (
        ("numpy", NUMPY_QUESTION), ("plain", PLAIN_QUESTION), ("sql", SQL_QUESTION))}
    for submit in submits.values():
        submit()  # warm caches (page cache, bwrap probe)
    base = bare_python(args.runs)
    base_p50 = statistics.median(base)
    print(f"baseline  python -c 'import numpy' (no jail): p50 {base_p50:.3f} s, "
          f"p95 {percentile(base, 0.95):.3f} s")
    spares, times = SPARES.per_kind, {}
    for label, per_kind in (("cold", 0), ("spare", spares)):
        SPARES.discard()
        SPARES.per_kind = per_kind
        for name, submit in submits.items():
            times[name, label] = [submit(think=True) for _ in range(args.runs)]
    for name in submits:
        cold, warm = (statistics.median(times[name, label]) for label in ("cold", "spare"))
        print(f"{name:5} submission ({args.runs} runs): p50 {warm:.3f} s, p95 "
              f"{percentile(times[name, 'spare'], 0.95):.3f} s with a spare jail waiting "
              f"({warm / base_p50:.1f}x baseline); cold p50 {cold:.3f} s "
              f"({warm / cold:.2f}x cold)")
    if forkserver.available():
        cpu_per_submission(submits, args.runs)
    numpy_submit = submits["numpy"]

    proc, url, client = start_server()
    try:
        quiet = measure_pages(client, url, 3.0)
        out: list[float] = []
        stop = threading.Event()
        watcher = threading.Thread(target=page_times, args=(client, url, stop, out))
        watcher.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=BURST) as pool:
            for _ in range(3):
                list(pool.map(lambda _: numpy_submit(), range(BURST)))
        elapsed = time.perf_counter() - started
        stop.set()
        watcher.join()
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"burst: {3 * BURST} numpy submissions, {BURST} at a time: {elapsed:.2f} s, "
          f"{3 * BURST / elapsed:.1f} submissions/s")
    print(f"question page: p95 {1000 * percentile(quiet, 0.95):.1f} ms idle ({len(quiet)} GETs), "
          f"p95 {1000 * percentile(out, 0.95):.1f} ms during the burst ({len(out)} GETs)")
    print(f"sandbox: numpy p50 {statistics.median(times['numpy', 'spare']):.3f} s, "
          f"sql p50 {statistics.median(times['sql', 'spare']):.3f} s")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        main()
