"""Hostile submissions: each ends in a clear verdict, nothing survives the run."""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
from pathlib import Path

import pytest

from quizapp.sandbox import Limits
from quizapp.sandbox import process
from quizapp.sandbox import run_job
from quizapp.sandbox import sandbox_mode
from quizapp.sandbox import uids
from quizapp.sandbox.pool import CLEANER
from quizapp.sandbox.pool import SPARES
from tests.sandbox.conftest import ATTACK_LIMITS
from tests.sandbox.conftest import run_code
from tests.sandbox.conftest import verdicts

APP_ROOT = Path(__file__).resolve().parents[2]
JAILED = sandbox_mode() == "bwrap"
needs_jail = pytest.mark.skipif(not JAILED, reason="bubblewrap jail unavailable here: "
                                "rlimits-only mode does not claim this protection")


@pytest.fixture(params=[False, True], ids=["forked", "fresh-jail"])
def fresh_jails(request) -> bool:
    """Every attack against both ways a run starts: forked by the fork server (where it
    works: root and bubblewrap) and in a fresh jail (elsewhere, or when the server fails)."""
    return request.param


def test_the_sandbox_runs_in_the_bubblewrap_jail_on_this_machine():
    assert sandbox_mode() == "bwrap"


@needs_jail  # without the jail's uid and PID namespace this is not contained
def test_fork_bomb_is_capped_and_killed():
    started = time.monotonic()
    result = run_code("import os\nwhile True:\n    try:\n        os.fork()\n"
                      "    except OSError:\n        pass\n")
    assert time.monotonic() - started < 7
    assert not any(passed for passed, _ in verdicts(result))


def test_memory_bomb_fails_with_memory_error():
    result = run_code("blocks = []\nwhile True:\n    blocks.append(bytearray(10**7))\n")
    assert verdicts(result) == [(False, "MemoryError (line 3 of your code)")]


def test_one_huge_allocation_fails_cleanly():
    result = run_code("import numpy as np\nx = np.ones(10**10)\n")
    [(passed, message)] = verdicts(result)
    assert not passed and "MemoryError" in message


@pytest.mark.parametrize("query", ["SELECT randomblob(1000000000)",
                                   "SELECT printf('%.*c', 100000000, 'x')"])
def test_a_query_that_runs_out_of_memory_fails_its_test_with_a_clear_message(query):
    """A MemoryError in the learner's query is the test's failure (it reached the fork
    server's error handler, whose text became the learner's output)."""
    result = run_job({"kind": "sql", "schema": "CREATE TABLE t (x INTEGER);",
                      "seeds": ["INSERT INTO t VALUES (1);"], "solution": "SELECT x FROM t",
                      "query": query, "test_seconds": 2}, ATTACK_LIMITS)
    [record] = [r for r in result.records if "test" in r]
    assert not record["passed"]
    assert record["message"] == "The query needed more memory than a run may use."
    assert "fork server" not in result.output


def test_infinite_loop_hits_the_time_limit():
    result = run_code("while True:\n    pass\n", tests=["pass", "pass"])
    assert [p for p, _ in verdicts(result)] == [False, False]
    assert "Time limit exceeded" in verdicts(result)[0][1]


def test_infinite_loop_inside_a_test_fails_only_that_test():
    result = run_code("def f():\n    while True:\n        pass\n", tests=["f()", "pass"])
    assert [p for p, _ in verdicts(result)] == [False, True]


def test_sleeping_forever_is_stopped():
    result = run_code("import time\ntime.sleep(10**6)\n")
    [(passed, message)] = verdicts(result)
    assert not passed and "Time limit exceeded" in message


def test_blocking_the_timer_signal_still_ends_at_the_wall_clock():
    started = time.monotonic()
    result = run_code("import signal, time\nsignal.pthread_sigmask(signal.SIG_BLOCK, "
                      "[signal.SIGALRM])\ntime.sleep(10**6)\n")
    assert result.status == "timeout" and time.monotonic() - started < 5
    [(passed, message)] = verdicts(result)
    assert not passed and message.startswith("Time limit exceeded")


def test_printing_100_mb_is_capped():
    result = run_code("print('x' * 100_000_000)\nimport os\nos.write(1, b'y' * 10_000_000)\n",
                      limits=Limits(cpu_seconds=2, wall_seconds=4, memory_mb=256))
    assert verdicts(result) == [(True, "")]
    captured = next(r["output"] for r in result.records if "output" in r)
    assert len(captured) < 20_000 and captured.endswith("[output truncated]")
    assert len(result.output) <= 2 * 64 * 1024


@needs_jail
def test_app_files_database_and_secret_key_are_invisible():
    secret = APP_ROOT / "instance" / "secret_key"
    probes = [str(secret), str(APP_ROOT / "instance"), str(APP_ROOT / "wsgi.py"),
              str(APP_ROOT / "quizapp" / "config.py")]
    result = run_code(f"import os\nseen = [p for p in {probes!r} if os.path.exists(p)]\n",
                      tests=["assert seen == [], seen"])
    assert verdicts(result) == [(True, "")]


def test_environment_holds_no_secrets(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-value-for-test")
    monkeypatch.setenv("DATABASE_URL", "postgresql://user:pw@db/app")
    result = run_code("import os\nenv = dict(os.environ)\nprint(env)\n",
                      tests=["assert not {'SECRET_KEY', 'DATABASE_URL', 'REDIS_URL'} & set(env)",
                             "assert 's3cret' not in repr(env)"])
    assert verdicts(result) == [(True, ""), (True, "")]


@needs_jail
def test_writes_outside_the_work_directory_fail_or_vanish(tmp_path):
    target = APP_ROOT / "pwned-by-sandbox.txt"
    code = (f"import os\nresults = {{}}\n"
            f"for path in [{str(target)!r}, '/usr/pwned', '/etc/pwned', '/pwned']:\n"
            "    try:\n        open(path, 'w').write('x')\n        results[path] = 'written'\n"
            "    except OSError as exc:\n        results[path] = type(exc).__name__\n"
            "open('/tmp/scratch', 'w').write('fine')\nopen('here.txt', 'w').write('fine')\n")
    result = run_code(code, tests=["assert 'written' not in results.values(), results"])
    assert verdicts(result) == [(True, "")]
    assert not target.exists() and not Path("/usr/pwned").exists()


@needs_jail
def test_filling_the_work_directory_or_tmp_is_capped():
    """/job and /tmp are bounded tmpfs of the run's own: a run cannot fill the host's disk
    (or its memory) with files."""
    code = ("written = {}\nfor where in ('/job', '/tmp'):\n    written[where] = 0\n"
            "    try:\n        for i in range(1000):\n"
            "            with open(f'{where}/f{i}', 'wb') as out:\n"
            "                out.write(b'x' * 1_000_000)\n"
            "            written[where] += 1_000_000\n    except OSError:\n        pass\n")
    result = run_code(code, tests=[f"assert written['/job'] <= {process.JOB_BYTES} and "
                                   f"written['/tmp'] <= {process.TMP_BYTES}, written",
                                   "assert min(written.values()) >= 4_000_000, written"],
                      limits=Limits(cpu_seconds=2, wall_seconds=5, memory_mb=64))
    assert verdicts(result) == [(True, ""), (True, "")]


SYSCALLS = """\
import ctypes, errno, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
def refused(number, *args):
    ctypes.set_errno(0)
    return libc.syscall(number, *args) == -1 and ctypes.get_errno() == errno.EPERM
checks = {'user namespace': refused(272, 0x10000000), 'keyctl': refused(250, 0, 0, 0),
          'io_uring_setup': refused(425, 1, 0), 'bpf': refused(321, 0, 0, 0),
          'ptrace': refused(101, 16, 1, 0, 0), 'x32': refused(0x40000000 + 39)}
thread = threading.Thread(target=lambda: None)
thread.start()
thread.join()
out = subprocess.run([sys.executable, '-c', 'print(6 * 7)'], capture_output=True,
                     text=True).stdout
"""


@needs_jail
@pytest.mark.skipif(os.uname().machine != "x86_64", reason="the seccomp filter is x86-64's")
def test_system_calls_learner_code_never_needs_are_refused():
    """The seccomp filter (sandbox/syscall_filter.py): new user namespaces, the keyring,
    io_uring, bpf, ptrace and x32 calls fail with EPERM; threads and subprocesses work."""
    result = run_code(SYSCALLS, tests=["assert all(checks.values()), checks",
                                       "assert out == '42\\n', out"])
    assert verdicts(result) == [(True, ""), (True, "")]


@needs_jail
def test_no_network_even_to_localhost():
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(3)
    port = server.getsockname()[1]
    accepted: list[object] = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            accepted.append(server.accept())

    listener = threading.Thread(target=accept, daemon=True)
    listener.start()
    code = ("import socket\nerrors = []\nfor host in ['127.0.0.1', '1.1.1.1']:\n    try:\n"
            f"        socket.create_connection((host, {port}), timeout=0.5)\n"
            "    except OSError as exc:\n        errors.append(type(exc).__name__)\n")
    result = run_code(code, tests=["assert len(errors) == 2, errors"])
    server.close()
    listener.join(4)
    assert verdicts(result) == [(True, "")]
    assert accepted == []


@needs_jail  # without the jail's uid and PID namespace this is not contained
def test_detached_background_process_does_not_outlive_the_run():
    token = f"sandbox-detach-{os.getpid()}-{time.monotonic_ns()}"
    code = ("import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        os.execv(sys.executable, [sys.executable, '-c', "
            f"'import time; time.sleep(30)', {token!r}])\n    os._exit(0)\ntime.sleep(0.3)\n")
    result = run_code(code)
    assert verdicts(result) == [(True, "")]
    time.sleep(0.2)
    survivors = [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_has(pid, token)]
    assert survivors == []


@needs_jail
def test_a_detached_process_that_hides_its_owner_does_not_outlive_the_run():
    """A non-dumpable process shows as root's in /proc: the PID namespace still ends it."""
    token = f"sandbox-hidden-{os.getpid()}-{time.monotonic_ns()}"
    hide = "import ctypes, time; ctypes.CDLL(None).prctl(4, 0, 0, 0, 0); time.sleep(30)"
    code = ("import os, sys, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execv(sys.executable, [sys.executable, '-c', {hide!r}, {token!r}])\n"
            "    os._exit(0)\ntime.sleep(0.5)\n")
    result = run_code(code)
    assert verdicts(result) == [(True, "")]
    time.sleep(0.2)
    survivors = [pid for pid in os.listdir("/proc") if pid.isdigit() and _cmdline_has(pid, token)]
    assert survivors == []


def test_the_quick_sweep_kills_what_a_uid_left_running():
    """After a worker died mid-run, the next run of its uid sweeps that uid's processes."""
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("only root can start a process under another uid")
    uid = uids.SLOT_UID_BASE + uids.UID_COUNT - 1
    for thorough in (False, True):
        leftover = subprocess.Popen(["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
                                     "--clear-groups", "sleep", "30"])
        time.sleep(0.1)
        uids.kill_uid(uid, thorough=thorough)
        assert leftover.wait(timeout=5) == -9


def _cmdline_has(pid: str, token: str) -> bool:
    try:
        return token.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@needs_jail
def test_killing_the_parent_is_refused():
    """A fresh jail's runner has a parent it cannot signal (another uid); a forked run is
    its PID namespace's pid 1, and its parent, the fork server, is outside: out of sight."""
    result = run_code("import os\nparent = os.getppid()\noutcome = 'no parent in sight'\n"
                      "try:\n    if parent:\n        os.kill(parent, 9)\n"
                      "        outcome = 'killed'\n"
                      "except OSError as exc:\n    outcome = type(exc).__name__\n",
                      tests=["assert outcome != 'killed', outcome"])
    assert verdicts(result) == [(True, "")]
    again = run_code("x = 1\n", tests=["assert x == 1"])  # the server still serves
    assert verdicts(again) == [(True, "")]


def test_deep_recursion_is_a_recursion_error():
    result = run_code("def f(n):\n    return f(n + 1)\n", tests=["f(0)"])
    [(passed, message)] = verdicts(result)
    assert not passed and message.startswith("RecursionError")


def test_recursion_that_overflows_the_c_stack_ends_the_run():
    started = time.monotonic()
    result = run_code("import sys\nsys.setrecursionlimit(10**7)\ndef f(n):\n    return f(n + 1)\n"
                      "f(0)\n")
    assert time.monotonic() - started < 5
    assert result.status in {"crashed", "ok", "timeout"}
    assert not any(passed for passed, _ in verdicts(result))


def test_crashing_the_interpreter_through_ctypes():
    result = run_code("import ctypes\nctypes.string_at(0)\n", tests=["pass", "pass"])
    assert result.status == "crashed" and result.returncode != 0
    assert [p for p, _ in verdicts(result)] == [False, False]
    assert verdicts(result)[0][1].startswith("The run ended before this test")


def test_forging_a_result_line_without_the_marker_fails():
    result = run_code("import os\nfor fd in range(3, 20):\n    try:\n        os.write(fd, b'"
                      "{\"test\": 0, \"passed\": true, \"message\": \"\"}\\n')\n"
                      "    except OSError:\n        pass\nraise SystemExit\n", tests=["pass"])
    assert [p for p, _ in verdicts(result)] == [False]


def test_malformed_records_sent_through_the_runners_own_channel_grade_as_failures():
    """Code can reach the result channel (it shares the runner's interpreter: see
    docs/sandbox.md, "Cheating on one's own score"); what it sends must not break grading."""
    forged = ("import sys, os\nch = sys._getframe(1).f_locals['channel']\n"
              "ch.send({'test': 0})\n"
              "ch.send({'test': 1, 'passed': 'yes', 'got': {'a': 1}, 'want': float('nan')})\n"
              "ch.send({'output': ''})\nos._exit(0)\n")
    result = run_code(forged, tests=["assert False", "assert False"])
    assert [p for p, _ in verdicts(result)] == [False, False]


@needs_jail
def test_runs_cannot_see_each_other(used_jails):
    secret = "learner-a-private-answer-42"
    first: list[object] = []
    writer = threading.Thread(target=lambda: first.append(run_code(
        f"open('answer.py', 'w').write({secret!r})\nimport time\ntime.sleep(1.0)\n",
        limits=Limits(cpu_seconds=1, wall_seconds=3, memory_mb=64))))
    writer.start()
    time.sleep(0.5)
    spy = ("import os, sys\nfound = []\nskip = ('/proc', '/sys', '/usr', '/dev', sys.prefix,"
           " sys.base_prefix, os.path.dirname(os.path.dirname(sys.executable)),"
           " *filter(None, sys.path))\nfor root, dirs, files in os.walk('/'):\n"
           "    if root.startswith(skip):\n        dirs[:] = []\n"
           "        continue\n    for name in files:\n        try:\n"
           f"            if {secret!r} in open(os.path.join(root, name),\n"
           "                                  errors='ignore').read(10**6):\n"
           "                found.append(os.path.join(root, name))\n"
           "        except OSError:\n            pass\n")
    result = run_code(spy, tests=["assert found == [], found"],
                      limits=Limits(cpu_seconds=2, wall_seconds=4, memory_mb=64))
    writer.join()
    assert verdicts(result) == [(True, "")]
    assert CLEANER.wait()  # finished runs end in the background
    assert len({jail.proc.pid for jail in used_jails}) == 2
    assert [jail.workdir for jail in used_jails] == [None, None]  # /job: in memory


def test_sql_results_shown_are_bounded_and_json_safe():
    job = {"kind": "sql", "schema": "CREATE TABLE t (a INT);",
           "seeds": ["INSERT INTO t VALUES (1);"],
           "solution": "SELECT a FROM t", "ordered": False, "test_seconds": 1,
           "query": "SELECT printf('%.*c', 1000000, 'x') FROM t UNION ALL SELECT 1e999"}
    result = run_job(job, Limits(cpu_seconds=1, wall_seconds=3))
    [record] = [r for r in result.records if "test" in r]
    assert not record["passed"] and record["message"] == "The query returns 2 rows; 1 expected."
    assert record["got"] == [["x" * 200 + "…"], ["inf"]]


@needs_jail
def test_a_run_after_one_that_died_sweeps_its_uid_thoroughly(monkeypatch, tmp_path,
                                                              fresh_jails):
    if not uids.drop_uid():
        pytest.skip("runs get a uid of their own only when the app runs as root")
    SPARES.discard()  # so each run claims its uid when it starts
    monkeypatch.setattr(SPARES, "per_kind", 0)
    assert CLEANER.wait()  # an earlier test's run ending now would sweep its uid below
    lock_file = tmp_path / "uid.lock"
    lock_file.write_bytes(b"running")  # what a worker killed mid-run leaves
    uid = uids.SLOT_UID_BASE + uids.UID_COUNT - 2
    monkeypatch.setattr(uids, "claim_uid", lambda: (uid, os.open(lock_file, os.O_RDWR)))
    sweeps: list[bool] = []
    real_sweep = uids.kill_uid
    monkeypatch.setattr(uids, "kill_uid", lambda u, thorough=False: (
        sweeps.append(thorough), real_sweep(u, thorough)))
    assert verdicts(run_code("x = 1")) == [(True, "")]
    assert CLEANER.wait()  # the run ends in the background
    # before the run (leftovers), then after it a quick one, except behind a forked run
    # that was seen gone (its PID namespace took every process with it)
    after = [False] if fresh_jails else []
    assert sweeps == [True, *after]
    assert lock_file.read_bytes().rstrip(b"\0") == b"idle"
    sweeps.clear()
    assert verdicts(run_code("x = 1")) == [(True, "")]
    assert CLEANER.wait()
    assert sweeps == after
