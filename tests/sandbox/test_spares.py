"""Spare jails (sandbox/pool.py): started ahead of a run, used once, never shared."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from quizapp.sandbox import Limits
from quizapp.sandbox import process
from quizapp.sandbox.pool import CLEANER
from quizapp.sandbox.pool import SPARES
from quizapp.sandbox.pool import kind_of
from tests.sandbox.conftest import run_code
from tests.sandbox.conftest import verdicts

NUMPY_LOADED = "import sys\nloaded = 'num' 'py' in sys.modules\n"  # names no numpy itself


def _waiting(kind: str) -> process.Jail:
    assert SPARES.ready((kind,))
    return SPARES._ready[kind][-1]


def test_a_run_goes_to_the_waiting_spare_and_a_fresh_one_replaces_it(used_jails):
    spare = _waiting("")
    assert verdicts(run_code("x = 1", tests=["assert x == 1"])) == [(True, "")]
    assert used_jails == [spare]
    assert CLEANER.wait()  # the finished run ends in the background
    assert spare.proc.returncode is not None and spare.workdir is None  # /job: in memory
    assert SPARES.ready(("",))
    replacement = _waiting("")
    assert replacement is not spare and replacement.proc.pid != spare.proc.pid


def test_each_run_gets_its_own_spare(used_jails):
    run_code("open('left.txt', 'w').write('secret')")
    result = run_code("import os\nseen = os.listdir('.')", tests=["assert seen == [], seen"])
    assert verdicts(result) == [(True, "")]
    assert len({jail.proc.pid for jail in used_jails}) == 2


def test_a_numpy_job_gets_a_spare_that_imported_numpy_and_a_plain_one_does_not(used_jails):
    numpy_spare, plain_spare = _waiting("numpy"), _waiting("")
    result = run_code(NUMPY_LOADED, tests=["assert loaded", "assert np.ones(3).sum() == 3"])
    assert verdicts(result) == [(True, ""), (True, "")]
    result = run_code(NUMPY_LOADED, tests=["assert not loaded"])
    assert verdicts(result) == [(True, "")]
    assert used_jails == [numpy_spare, plain_spare]


def test_limits_hold_in_a_spare_that_spent_cpu_on_numpy(used_jails):
    spare = _waiting("numpy")
    result = run_code("big = np.ones(10**9)", tests=["assert big.size"])
    [(passed, message)] = verdicts(result)
    assert not passed and "MemoryError" in message
    result = run_code("import numpy as np\nwhile True:\n    pass\n",
                      limits=Limits(cpu_seconds=1, wall_seconds=4, memory_mb=64))
    [(passed, message)] = verdicts(result)
    assert not passed and ("Time limit" in message or "ended before" in message)
    assert used_jails[0] is spare


def test_a_spare_that_died_while_waiting_is_not_used(used_jails):
    dead = _waiting("")
    os.killpg(dead.proc.pid, signal.SIGKILL)
    dead.proc.wait()
    assert verdicts(run_code("x = 2", tests=["assert x == 2"])) == [(True, "")]
    assert dead not in used_jails and dead.proc.returncode is not None
    assert dead.workdir is None  # /job: in memory, nothing on disk


def test_a_forked_child_does_not_use_its_parents_spares():
    spare = _waiting("")
    inherited = (spare.read_fd, spare.proc.stdin.fileno())
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through its exit status
        untouched = SPARES.take("") is None and SPARES.waiting("") == 0
        os._exit(0 if untouched and not any(_open(fd) for fd in inherited) else 1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert spare.usable() and SPARES.waiting("") >= 1


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def test_without_spares_every_run_starts_its_own_jail(monkeypatch, used_jails):
    SPARES.discard()
    monkeypatch.setattr(SPARES, "per_kind", 0)
    assert verdicts(run_code("x = 3", tests=["assert x == 3"])) == [(True, "")]
    time.sleep(0.1)
    assert SPARES.waiting("") == 0 and len(used_jails) == 1
    assert CLEANER.wait() and used_jails[0].proc.returncode is not None
    assert used_jails[0].workdir is None  # /job: in memory, nothing on disk


def test_work_directories_of_dead_processes_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(process.tempfile, "gettempdir", lambda: str(tmp_path))
    dead = subprocess.Popen(["true"])
    dead.wait()
    orphan = tmp_path / f"{process.WORKDIR_PREFIX}{dead.pid}-abc"
    mine = tmp_path / f"{process.WORKDIR_PREFIX}{os.getpid()}-def"
    unknown = tmp_path / f"{process.WORKDIR_PREFIX}xyz"  # not named by a pid: left alone
    odd = tmp_path / f"{process.WORKDIR_PREFIX}\u00b2-ghi"  # a digit, but not a pid
    for path in (orphan, mine, unknown, odd):
        path.mkdir()
        (path / "answer.py").write_text("x = 1")
    assert process.remove_orphaned_workdirs() == 1
    assert not orphan.exists() and mine.exists() and unknown.exists() and odd.exists()


@pytest.mark.parametrize(("job", "kind"), [
    ({"kind": "code", "source": "x = 1", "tests": [{"code": "assert x"}]}, ""),
    ({"kind": "code", "source": "import numpy as np", "tests": []}, "numpy"),
    ({"kind": "code", "source": "def f(a): return a", "tests": [{"code": "assert_close(f(1), 1)"}]},
     "numpy"),
    ({"kind": "code", "source": "numpyish = 1", "tests": [{"code": "assert numpyish"}]}, ""),
    ({"kind": "sql", "query": "SELECT 1 -- np.ones", "seeds": []}, ""),
])
def test_the_kind_of_spare_a_job_wants(job, kind):
    assert kind_of(job) == kind
