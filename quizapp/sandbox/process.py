"""Start the runner in a jailed, limited child process and collect its results.

See docs/sandbox.md for what this protects against. Two modes:

- ``bwrap``: bubblewrap namespaces (no network, own PID/IPC/UTS namespaces, a root made of
  read-only binds of the system and Python, a tmpfs ``/tmp``, the run's work directory as
  ``/job``), and, when the app runs as root, a per-slot unprivileged uid (so RLIMIT_NPROC
  applies and runs cannot read each other's files).
- ``rlimits``: no bubblewrap (or it cannot make namespaces): rlimits, a scrubbed
  environment, a fresh working directory and process-group kill only.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import selectors
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import IO
from typing import Any
from typing import Protocol

from quizapp.sandbox import uids

BWRAP = "/usr/bin/bwrap"
SETPRIV = "/usr/bin/setpriv"
RUNNER = Path(__file__).with_name("runner.py")
RUNNER_FILES = ("runner.py", "syscall_filter.py", "checks.py")
NUMPY_BASE_MB = 160  # address space numpy + OpenBLAS (one thread) need to import (~100 MB)
WORKDIR_PREFIX = "quizapp-run-"  # + the pid of the process that made it + a random part
JOB_BYTES = 16 * 1024 * 1024  # a jail's /job (in memory; the fork server's runs' too)
TMP_BYTES = 64 * 1024 * 1024  # a jail's /tmp (in memory; the fork server's runs' too)
READ_CHUNK = 65_536
RESULT_CAP = 2 * 1024 * 1024
ENV = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/job",
       "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "NUMEXPR_NUM_THREADS": "1", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}


@dataclass(frozen=True)
class Limits:
    """Resource limits of one run."""

    cpu_seconds: float = 2.0
    memory_mb: int = 256
    wall_seconds: float | None = None  # default: 2 x CPU + 3 s of start-up
    processes: int = 8
    file_bytes: int = 1024 * 1024
    open_files: int = 64
    output_bytes: int = 64 * 1024

    @property
    def wall(self) -> float:
        return self.wall_seconds if self.wall_seconds is not None else 2 * self.cpu_seconds + 3


@dataclass
class RunResult:
    """What came back from one run."""

    mode: str
    status: str  # "ok" (runner finished) | "timeout" | "crashed" (died before finishing)
    records: list[dict[str, Any]] = field(default_factory=list)
    output: str = ""
    returncode: int | None = None
    seconds: float = 0.0


@cache
def sandbox_mode() -> str:
    """``bwrap`` when bubblewrap can create its namespaces here, else ``rlimits``."""
    if os.environ.get("QUIZAPP_SANDBOX_MODE") == "rlimits" or not os.path.exists(BWRAP):
        return "rlimits"
    probe = subprocess.run([*_bwrap_args(), "/bin/true"],  # noqa: S603
                           capture_output=True, env=ENV, timeout=10, check=False)
    return "bwrap" if probe.returncode == 0 else "rlimits"


@cache
def _import_paths() -> list[str]:
    """Where the runner finds numpy (it starts without the site module)."""
    paths = sysconfig.get_paths()
    return list(dict.fromkeys(p for p in (paths["purelib"], paths["platlib"])
                              if os.path.isdir(p)))


@cache
def _ro_paths() -> tuple[str, ...]:
    """System and Python directories the jail needs, read-only."""
    paths = ["/usr", "/etc/alternatives", "/etc/ld.so.cache", "/etc/localtime",
             sys.base_prefix, sys.prefix, sysconfig.get_paths()["purelib"]]
    seen: list[str] = []
    for path in paths:
        if os.path.exists(path) and path not in seen:
            seen.append(path)
    return tuple(seen)


@cache
def _jail_args() -> tuple[str, ...]:
    """bubblewrap's arguments up to the run's own work directory: the same for every run
    (built once per process: sysconfig and the paths' parents cost about 0.5 ms a jail)."""
    args = [BWRAP, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--size", str(TMP_BYTES),
            "--tmpfs", "/tmp",  # noqa: S108 - the jail's own /tmp
            "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
            "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/sbin", "/sbin"]
    made: set[str] = set()
    for path in _ro_paths():
        for parent in reversed(Path(path).parents):
            if str(parent) != "/" and str(parent) not in made and not str(parent).startswith(
                    ("/usr", "/etc/")):
                made.add(str(parent))
                args += ["--perms", "0755", "--dir", str(parent)]
        args += ["--ro-bind", path, path]
    args += ["--perms", "0755", "--dir", "/sandbox"]
    for name in RUNNER_FILES:  # the runner and the standalone modules it imports
        args += ["--ro-bind", str(RUNNER.with_name(name)), f"/sandbox/{name}"]
    return tuple(args)


def _bwrap_args() -> list[str]:
    """The jail's work directory is a tmpfs of its own, in memory and bounded: a run can
    neither fill the host's disk nor leave anything behind."""
    return [*_jail_args(), "--perms", "1777", "--size", str(JOB_BYTES), "--tmpfs", "/job",
            "--chdir", "/job", "--hostname", "sandbox", "--remount-ro", "/"]


class Started(Protocol):
    """What a run's process offers: a ``Popen`` of a fresh jail, or a fork server's
    ``ForkedRun``."""

    pid: int
    returncode: int | None
    stdin: IO[bytes] | None
    stdout: IO[bytes] | None
    stderr: IO[bytes] | None

    def poll(self) -> int | None: ...

    def wait(self) -> int: ...


@dataclass
class Jail:
    """A started runner: its job goes to stdin; until then it waits there (a spare)."""

    proc: Started
    read_fd: int  # the runner's result channel
    workdir: Path | None  # on the host: only without bubblewrap (in a jail, /job is a tmpfs)
    uid: int | None  # the run's own uid (and the lock that holds it), when the app is root
    lock: int | None

    def usable(self) -> bool:
        """Still waiting for its job (it did not die)."""
        return self.proc.poll() is None


def start_jail(preload: str = "") -> Jail:
    """Start the runner in a fresh jail and work directory (under a uid of its own when the
    app runs as root); ``preload="numpy"`` imports numpy before it waits for the job."""
    mode = sandbox_mode()
    uid, lock = uids.claim_run_uid() if mode == "bwrap" and uids.drop_uid() else (None, None)
    if uid is not None:  # a forked run when the fork server works here, else a fresh jail
        from quizapp.sandbox import forkserver

        if forked := forkserver.try_start(preload, uid, lock):
            return forked
    workdir = (None if mode == "bwrap" else
               Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")))
    read_fd, write_fd = os.pipe()
    try:
        proc = subprocess.Popen(  # noqa: S603 - fixed argv; the untrusted code goes via stdin
            _command(mode, uid, write_fd, preload), stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_fd,),
            cwd=workdir or "/", env={**ENV, "HOME": str(workdir or "/job")},
            start_new_session=True, close_fds=True)
    except OSError:
        os.close(read_fd)
        if workdir is not None:
            shutil.rmtree(workdir, ignore_errors=True)
        uids.release_uid(lock)
        raise
    finally:
        os.close(write_fd)
    return Jail(proc, read_fd, workdir, uid, lock)


def run_in(jail: Jail, job: dict[str, Any], limits: Limits,
           end: Callable[[Jail], None] | None = None) -> RunResult:
    """Send ``job`` (see ``runner.py``) to ``jail``, collect its results, end the jail:
    with ``end`` (which must call ``close_jail`` soon) when the run finished, else at once."""
    marker = secrets.token_hex(16)
    payload = {**job, "marker": marker, "limits": _rlimits(limits)}
    started = time.monotonic()
    try:
        status, result_bytes, output = _collect(jail.proc, jail.read_fd,
                                                json.dumps(payload).encode(),
                                                started + limits.wall, limits.output_bytes,
                                                marker)
    except BaseException:
        close_jail(jail)
        raise
    records, finished = _parse(result_bytes, marker)
    if status == "ok" and finished and end is not None:
        end(jail)
        returncode = jail.proc.poll()  # None: still ending
    else:
        close_jail(jail)
        returncode = jail.proc.returncode
        if status == "ok" and not finished:
            status = "crashed"
    return RunResult(mode=sandbox_mode(), status=status, records=records, output=output,
                     returncode=returncode, seconds=time.monotonic() - started)


def close_jail(jail: Jail) -> None:
    """Kill the jail's processes and remove its work directory; free its uid."""
    os.close(jail.read_fd)
    _kill_all(jail.proc, jail.uid)  # every process of the run is gone after this
    if jail.workdir is not None:
        shutil.rmtree(jail.workdir, ignore_errors=True)
    uids.release_uid(jail.lock)


def remove_orphaned_workdirs() -> int:
    """Remove the work directories of processes that are gone (a worker killed with SIGKILL
    while a run or a spare had one); return how many. Each name carries its creator's pid."""
    removed = 0
    for path in Path(tempfile.gettempdir()).glob(f"{WORKDIR_PREFIX}*"):
        pid = path.name[len(WORKDIR_PREFIX):].split("-", 1)[0]
        if pid.isascii() and pid.isdigit() and not _alive(int(pid)):  # "²" is a digit too
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_jail(jail: Jail) -> None:
    """In a forked child: drop the inherited descriptors of a parent's jail (so the jail
    still sees its stdin close when the parent goes), nothing else."""
    for fd in (jail.read_fd, jail.lock):
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
    for stream in (jail.proc.stdin, jail.proc.stdout, jail.proc.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    if not isinstance(jail.proc, subprocess.Popen):
        jail.proc.close()  # a forked run's pidfd and report socket


def _command(mode: str, uid: int | None, result_fd: int, preload: str) -> list[str]:
    # -S: no site module. The venv's .pth hooks (the editable install's finder imports
    # pathlib, re, urllib...) cost about 20 ms of CPU per run; the runner adds numpy's
    # directory itself (``--path``).
    options = [f"--result-fd={result_fd}", *(f"--path={p}" for p in _import_paths())]
    if preload:
        options.append(f"--preload={preload}")
    python = [sys.executable, "-I", "-B", "-S"]
    if mode != "bwrap":
        return [*python, str(RUNNER), *options]
    drop = ([SETPRIV, f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--inh-caps=-all",
             "--bounding-set=-all", "--"] if uid is not None else [])
    return [*_bwrap_args(), *drop, *python, "/sandbox/runner.py", *options]


def _rlimits(limits: Limits) -> dict[str, int]:
    cpu = max(1, int(limits.cpu_seconds + 0.999))
    return {"cpu": cpu, "address_mb": NUMPY_BASE_MB + limits.memory_mb,
            "processes": limits.processes, "file_bytes": limits.file_bytes,
            "open_files": limits.open_files}


def _collect(proc: Started, result_fd: int, stdin: bytes, deadline: float,
             cap: int, marker: str) -> tuple[str, bytes, str]:
    """Feed stdin, read stdout/stderr (capped) and results until the final record, EOF,
    exit or the deadline."""
    assert proc.stdin and proc.stdout and proc.stderr
    try:
        proc.stdin.write(stdin)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    selector = selectors.DefaultSelector()
    buffers: dict[int, bytearray] = {}
    caps = {result_fd: RESULT_CAP, proc.stdout.fileno(): cap, proc.stderr.fileno(): cap}
    for fd in caps:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
        buffers[fd] = bytearray()
    status, exited_at, final = "ok", None, False
    while selector.get_map() and not final:
        now = time.monotonic()
        if now > deadline:
            status = "timeout"
            break
        if exited_at is None and proc.poll() is not None:
            exited_at = now
        if exited_at is not None and now - exited_at > 0.2:
            break  # something detached holds the pipes open; stop listening
        for key, _ in selector.select(timeout=0.05):
            chunk = os.read(key.fd, READ_CHUNK)
            if not chunk:
                selector.unregister(key.fd)
                continue
            room = caps[key.fd] - len(buffers[key.fd])
            if room > 0:
                buffers[key.fd] += chunk[:room]
            final = key.fd == result_fd and chunk.endswith(b"\n") and _final(
                buffers[key.fd], marker)
            if final:
                _drain(selector, buffers, caps)  # what the run wrote before its last record
                break
    selector.close()
    output = (buffers[proc.stdout.fileno()] + buffers[proc.stderr.fileno()])
    return status, bytes(buffers[result_fd]), output.decode("utf-8", "replace")


def _final(data: bytearray, marker: str) -> bool:
    """Whether the last line of ``data`` is the run's final (``output``) record: the run
    has nothing more to say, and need not be waited for (its exit can take milliseconds)."""
    line = bytes(data[data.rfind(b"\n", 0, len(data) - 1) + 1:]).decode("utf-8", "replace")
    record = _record(line.rstrip("\n"), marker)
    return record is not None and "output" in record


def _drain(selector: selectors.BaseSelector, buffers: dict[int, bytearray],
           caps: dict[int, int]) -> None:
    """Read what is already waiting on the other streams (at most their caps' worth)."""
    for fd in list(selector.get_map()):
        with contextlib.suppress(BlockingIOError, OSError):
            while len(buffers[fd]) < caps[fd] and (chunk := os.read(fd, READ_CHUNK)):
                buffers[fd] += chunk[:caps[fd] - len(buffers[fd])]


def _parse(data: bytes, marker: str) -> tuple[list[dict[str, Any]], bool]:
    """Result records from marked lines; ``finished`` once the final output record came."""
    records: list[dict[str, Any]] = []
    finished = False
    for line in data.decode("utf-8", "replace").splitlines():
        if (record := _record(line, marker)) is not None:
            finished = finished or "output" in record
            records.append(record)
    return records, finished


def _record(line: str, marker: str) -> dict[str, Any] | None:
    """The record a marked result line holds, or None (unmarked, or not a JSON object)."""
    if not line.startswith(marker):
        return None
    try:
        record = json.loads(line[len(marker):])
    except ValueError:
        return None
    return record if isinstance(record, dict) else None


def _kill_all(proc: Started, uid: int | None) -> None:
    """Kill the run's process group, and every process of the slot's uid."""
    if isinstance(proc, subprocess.Popen):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)
    else:  # a forked run (forkserver.ForkedRun): its PID namespace's pid 1, by pidfd
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    # A forked run's pid 1 exits only after the kernel has killed and released every other
    # process of its PID namespace, which is where all of the run's processes live: seen
    # gone, nothing of the uid is left to sweep (about 0.3 ms of CPU per run, one stat per
    # process on the machine).
    if uid is not None and not getattr(proc, "ended", False):
        uids.kill_uid(uid)


