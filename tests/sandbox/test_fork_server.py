"""The fork server (sandbox/forkserver.py, zygote.py): one jail per process and kind forks
every run, and a forked run is as bare as a fresh jail's."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import psutil
import pytest

from quizapp.sandbox import Limits
from quizapp.sandbox import forkserver
from quizapp.sandbox import process
from quizapp.sandbox import uids
from quizapp.sandbox.pool import SPARES
from tests.sandbox.conftest import run_code
from tests.sandbox.conftest import verdicts

pytestmark = pytest.mark.skipif(not forkserver.available(),
                                reason="the fork server needs root and bubblewrap")

INSPECT = textwrap.dedent("""\
    import os
    def fields(pid):
        text = open(f'/proc/{pid}/status').read()
        return {line.split(':')[0]: line.split()[1] if line.split()[1:] else ''
                for line in text.splitlines()}
    me = fields('self')
    pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())
    fds = sorted(int(fd) for fd in os.listdir('/proc/self/fd'))
    mounts = [line.split() for line in open('/proc/self/mounts')]
    read_only = {m[1] for m in mounts if 'ro' in m[3].split(',')}
    writable = []  # read-only mounts (the system, Python, the venv) are not walked
    for root, dirs, files in os.walk('/'):
        if root.startswith(('/proc', '/sys')) or root in read_only and root != '/':
            dirs[:] = []
            continue
        if os.access(root, os.W_OK):
            writable.append(root)
    runs = os.listdir('/runs') if os.path.isdir('/runs') else []
    """)
NO_CAPS = "0" * 16


def test_a_forked_run_holds_no_privilege_and_sees_only_itself(used_jails):
    used = used_jails
    checks = [
        "assert int(me['Uid']) >= 61000 and int(me['Gid']) >= 61000, me['Uid']",
        *(f"assert me[{cap!r}] == {NO_CAPS!r}, me[{cap!r}]"
          for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")),
        "assert me['NoNewPrivs'] == '1'",
        # its PID namespace's pid 1; the server, its parent, is outside it
        "assert os.getpid() == 1 and os.getppid() == 0",
        "assert pids == [1], pids",  # the server and the other runs are not visible
        "assert fds[:4] == [0, 1, 2, 3] and len(fds) == 5, fds",  # 4: the listing itself
        "assert writable == ['/job', '/tmp'], writable",
        "assert runs == [], runs",  # the other runs' directories are unmounted
    ]
    result = run_code(INSPECT, tests=checks, limits=Limits(cpu_seconds=3, wall_seconds=10))
    assert verdicts(result) == [(True, "")] * len(checks)
    assert not isinstance(used[0].proc, subprocess.Popen)  # it went to the fork server


def test_mounting_and_unsharing_are_refused():
    code = textwrap.dedent("""\
        import ctypes, os
        libc = ctypes.CDLL(None, use_errno=True)
        results = [libc.mount(b'none', b'/', None, 16384 | (1 << 18), None),
                   libc.mount(b'tmpfs', b'/job', b'tmpfs', 0, None),
                   libc.umount2(b'/proc', 2), libc.unshare(0x00020000),  # a mount namespace
                   libc.sethostname(b'x', 1)]
        """)
    result = run_code(code, tests=["assert results == [-1] * 5, results"])
    assert verdicts(result) == [(True, "")]


def test_every_run_draws_fresh_random_numbers():
    code = "import random\nprint(random.random(), np.random.rand())\n"
    outputs = {next(r["output"] for r in run_code(code).records if "output" in r)
               for _ in range(2)}
    assert len(outputs) == 2


def test_learner_subprocesses_can_be_waited_for():
    code = ("import subprocess, sys\nout = subprocess.run([sys.executable, '-c', "
            "'print(6 * 7)'], capture_output=True, text=True, check=True).stdout\n")
    assert verdicts(run_code(code, tests=["assert out == '42\\n', out"])) == [(True, "")]


def test_one_server_forks_the_runs_and_a_dead_one_is_restarted(used_jails):
    used = used_jails
    for value in range(3):  # each in a PID namespace of its own, the server in its own
        assert verdicts(run_code(f"import os\nme = os.getpid()\nx = {value}",
                                 tests=["assert me == 1, me"])) == [(True, "")]
    server = forkserver.server("")
    first = server._proc
    assert first is not None and first.poll() is None
    assert len({jail.proc.pid for jail in used}) == 3
    assert not any(isinstance(jail.proc, subprocess.Popen) for jail in used)
    SPARES.discard()
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()
    assert verdicts(run_code("x = 3", tests=["assert x == 3"])) == [(True, "")]
    assert server._proc is not None and server._proc.pid != first.pid
    assert not isinstance(used[-1].proc, subprocess.Popen)


def test_the_server_refuses_root_and_malformed_requests():
    SPARES.discard()
    server = forkserver.server("")
    with pytest.raises(OSError, match="did not start"):
        server.start_run(0, None)
    for request, fds in ((b"not json", 5), (b'{"uid": "x"}', 5), (b"{}", 5),
                         (b'{"uid": 61000}', 4)):
        pipes = forkserver._Pipes()
        socket.send_fds(server._control, [request], pipes.theirs()[:fds])
        pipes.close_theirs()
        with pytest.raises(OSError, match="did not start"):
            pipes.started()
    assert verdicts(run_code("x = 1", tests=["assert x == 1"])) == [(True, "")]  # still up


def test_a_failing_server_falls_back_to_a_fresh_jail(monkeypatch, used_jails):
    used = used_jails
    SPARES.discard()
    monkeypatch.setattr(SPARES, "per_kind", 0)

    def broken(self, uid, lock):
        raise OSError("broken on purpose")

    monkeypatch.setattr(forkserver.ForkServer, "start_run", broken)
    assert verdicts(run_code("x = 4", tests=["assert x == 4"])) == [(True, "")]
    assert isinstance(used[0].proc, subprocess.Popen)


def test_the_servers_end_with_their_process(tmp_path):
    """A worker killed with SIGKILL takes its fork servers (and their runs) with it."""
    script = textwrap.dedent("""\
        import os, signal, sys
        from quizapp.sandbox import forkserver, run_job, Limits
        assert forkserver.available()
        run_job({"kind": "code", "source": "x = 1", "tests": []}, Limits())
        print(forkserver.server("")._proc.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """)
    env = {**os.environ, "QUIZAPP_SANDBOX_SPARES": "0"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    server_pid = int(done.stdout.split()[-1])
    deadline = time.monotonic() + 5
    while psutil.pid_exists(server_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not psutil.pid_exists(server_pid) or psutil.Process(server_pid).status() == "zombie"


def test_read_only_binds_below_tmp_survive_the_runs_fresh_tmp(monkeypatch):
    """A checkout (and its venv) under /tmp, as CI's: the run's fresh /tmp must not hide
    the jail's binds below it, and they stay read-only."""
    shared = Path(tempfile.mkdtemp(prefix="quizapp-bind-test-"))
    (shared / "data.txt").write_text("bound")
    shared.chmod(0o755)
    paths = process._ro_paths()
    monkeypatch.setattr(process, "_ro_paths", lambda: (*paths, str(shared)))
    process._jail_args.cache_clear()
    server = forkserver.ForkServer("")
    uid, lock = uids.claim_run_uid()
    try:
        jail = server.start_run(uid, lock)
        code = (f"import os\ntext = open({str(shared / 'data.txt')!r}).read()\n"
                f"writable = os.access({str(shared)!r}, os.W_OK)\n"
                "open('/tmp/mine.txt', 'w').write('x')\n")
        result = process.run_in(jail, {"kind": "code", "source": code, "tests": [
            {"code": "assert text == 'bound' and not writable, (text, writable)"}]}, Limits())
    finally:
        server.stop()
        process._jail_args.cache_clear()
        shutil.rmtree(shared)
    assert [r.get("passed") for r in result.records if "test" in r] == [True], result.records
