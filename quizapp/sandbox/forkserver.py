"""The fork server's app side: one jail per process and kind that forks each run.

A fresh bubblewrap jail per run spends most of its CPU starting up: about 130 ms for a numpy
run, 80 of them numpy's import. Here each app process keeps one long-lived jail per kind
(``zygote.py``) that imported the runner (and numpy) once; a run is a fork of it in new
namespaces, under the run's own uid, with its own work directory (docs/sandbox.md, "The fork
server"). Used when the app runs as root with a working bubblewrap (the per-run uid is what
drops the forked run's capabilities); ``QUIZAPP_SANDBOX_FORK=0`` turns it off, and a server
that cannot start or fork falls back to a fresh jail per run.

A started run looks to ``process.py`` like a started jail: ``ForkedRun`` offers the part of
``subprocess.Popen`` it uses (streams, ``pid``, ``poll``, ``wait``, ``returncode``).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import select
import signal
import socket
import subprocess
import sys
import threading
from concurrent.futures import Future
from functools import cache
from pathlib import Path
from typing import IO
from typing import Any

from quizapp.sandbox import process
from quizapp.sandbox import uids

log = logging.getLogger(__name__)

ZYGOTE = Path(__file__).with_name("zygote.py")
CAPS = ("CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP")
START_SECONDS = 5.0  # for the server to fork a run (it answers in about a millisecond)
END_SECONDS = 5.0  # for a killed run's namespace to be gone
STATUS_SECONDS = 0.02  # for a run that just finished to report its exit status


class ForkedRun:
    """A run forked by the server: what ``process.py`` uses of a ``Popen``."""

    def __init__(self, pidfd: int, report: socket.socket, stdin: IO[bytes],
                 stdout: IO[bytes], stderr: IO[bytes]) -> None:
        self.pidfd, self.report = pidfd, report
        self.stdin: IO[bytes] | None = stdin
        self.stdout: IO[bytes] | None = stdout
        self.stderr: IO[bytes] | None = stderr
        self.returncode: int | None = None
        self.ended = False  # it was seen gone (pid 1): so is every process of its namespace
        self.pid = _pid_of(pidfd)
        report.setblocking(False)

    def poll(self) -> int | None:
        """The run's exit status once the server reported it (or is gone), else None."""
        if self.returncode is None:
            try:
                message = self.report.recv(64)
            except BlockingIOError:
                return None
            except OSError:
                message = b""
            code = message.split(b" ")[-1]
            self.returncode = int(code) if message.startswith(b"exit ") and code.lstrip(
                b"-").isdigit() else -signal.SIGKILL
        return self.returncode

    def kill(self) -> None:
        """SIGKILL the run, its PID namespace's pid 1: every process in it ends. A run that
        just finished gets a moment to report its exit status first."""
        if self.pidfd < 0:
            return  # waited for and closed
        if self.returncode is None:
            select.select([self.report], [], [], STATUS_SECONDS)
            if self.poll() is not None:
                return
        with contextlib.suppress(ProcessLookupError, OSError):
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)

    def wait(self, timeout: float = END_SECONDS) -> int:
        """Until the run is gone (a PID namespace's pid 1 exits after all its processes)."""
        if self.pidfd < 0:
            return self.returncode if self.returncode is not None else -signal.SIGKILL
        self.ended = bool(select.select([self.pidfd], [], [], timeout)[0])
        if self.ended and self.returncode is None:  # the server reaps it, then reports
            select.select([self.report], [], [], STATUS_SECONDS)
        self.poll()
        if self.returncode is None:
            self.returncode = -signal.SIGKILL
        self.close()
        return self.returncode

    def close(self) -> None:
        for closing in (self.report.close, lambda: os.close(self.pidfd)):
            with contextlib.suppress(OSError):
                closing()
        self.pidfd = -1


def _pid_of(pidfd: int) -> int:
    """The process's pid in this namespace (``Pid:`` in the pidfd's fdinfo)."""
    with open(f"/proc/self/fdinfo/{pidfd}", encoding="ascii") as info:
        for line in info:
            if line.startswith("Pid:"):
                return int(line.split()[1])
    return -1


class ForkServer:
    """One kind's server for this process, started on first use and after it died."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[bytes] | None = None
        self._control: socket.socket | None = None

    def start_run(self, uid: int, lock: int | None) -> process.Jail:
        """Fork a run under ``uid`` that waits for its job on stdin."""
        with self._lock:
            for attempt in range(2):
                self._ensure()
                assert self._control is not None
                pipes = _Pipes()
                try:
                    socket.send_fds(self._control, [json.dumps({"uid": uid}).encode()],
                                    pipes.theirs())
                    break
                except OSError:
                    pipes.close_all()
                    self._stop()  # the server died: one restart
                    if attempt:
                        raise
                finally:
                    pipes.close_theirs()
        return process.Jail(pipes.started(), pipes.result_read, None, uid, lock)

    def stop(self) -> None:
        with self._lock:
            self._stop()

    def forget(self) -> None:
        """In a forked child: the parent's server is not the child's (nothing is ended)."""
        self._lock = threading.Lock()
        if self._control is not None:
            with contextlib.suppress(OSError):
                self._control.close()
        self._proc, self._control = None, None

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._stop()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            command = _command(self.kind, theirs.fileno())
            # bubblewrap's --die-with-parent ties the jail to the thread that starts it: one
            # long-lived thread starts every server.
            self._proc = _STARTER.popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                pass_fds=(theirs.fileno(),), env=process.ENV, start_new_session=True,
                close_fds=True)
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self._control = ours

    def _stop(self) -> None:
        if self._control is not None:
            self._control.close()  # the server reads EOF and ends
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        self._proc, self._control = None, None


class _Pipes:
    """One run's descriptors: stdin, stdout, stderr, the result channel, the report."""

    def __init__(self) -> None:
        self.stdin_read, self.stdin_write = os.pipe()
        self.stdout_read, self.stdout_write = os.pipe()
        self.stderr_read, self.stderr_write = os.pipe()
        self.result_read, self.result_write = os.pipe()
        self.report, self.report_theirs = socket.socketpair(socket.AF_UNIX,
                                                            socket.SOCK_SEQPACKET)

    def theirs(self) -> list[int]:
        return [self.stdin_read, self.stdout_write, self.stderr_write, self.result_write,
                self.report_theirs.fileno()]

    def close_theirs(self) -> None:
        """Once only: a descriptor closed twice could be another thread's by then."""
        if self.report_theirs.fileno() < 0:
            return
        for fd in (self.stdin_read, self.stdout_write, self.stderr_write, self.result_write):
            os.close(fd)
        self.report_theirs.close()

    def close_all(self) -> None:
        self.close_theirs()
        for fd in (self.stdin_write, self.stdout_read, self.stderr_read, self.result_read):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.report.close()

    def started(self) -> ForkedRun:
        """The run, once the server sent its pidfd."""
        self.report.settimeout(START_SECONDS)
        try:
            _, fds, _, _ = socket.recv_fds(self.report, 16, 1)
        except OSError:
            fds = []
        if not fds:
            self.close_all()
            raise OSError("the sandbox fork server did not start the run")
        return ForkedRun(fds[0], self.report, os.fdopen(self.stdin_write, "wb"),
                         os.fdopen(self.stdout_read, "rb"), os.fdopen(self.stderr_read, "rb"))


def _command(kind: str, control_fd: int) -> list[str]:
    options = [f"--control-fd={control_fd}", f"--job-bytes={process.JOB_BYTES}",
               f"--tmp-bytes={process.TMP_BYTES}",
               *(f"--path={p}" for p in process._import_paths())]
    if kind:
        options.append(f"--preload={kind}")
    caps = [arg for cap in CAPS for arg in ("--cap-add", cap)]
    return [*process._jail_args(), "--ro-bind", str(ZYGOTE), "/sandbox/zygote.py",
            "--perms", "0755", "--dir", "/job", "--chdir", "/",
            "--hostname", "sandbox", "--remount-ro", "/", *caps,
            sys.executable, "-I", "-B", "-S", "/sandbox/zygote.py", *options]


class _Starter:
    """One daemon thread that starts every server: bubblewrap's --die-with-parent ties a
    jail to the thread that started it. A daemon thread lives until the process ends (an
    executor's thread ends at the interpreter's shutdown, before the exit handlers, and
    would take the servers with it while a spare is being forked)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[tuple[Future[subprocess.Popen[bytes]], list[str],
                                             dict[str, Any]]] = queue.SimpleQueue()
        self._started = False

    def popen(self, command: list[str], **options: Any) -> subprocess.Popen[bytes]:
        with self._lock:
            if not self._started:
                self._started = True
                threading.Thread(target=self._run, name="sandbox-fork-servers",
                                 daemon=True).start()
        future: Future[subprocess.Popen[bytes]] = Future()
        self._queue.put((future, command, options))
        return future.result()

    def _run(self) -> None:
        while True:
            future, command, options = self._queue.get()
            try:
                future.set_result(subprocess.Popen(command, **options))  # noqa: S603 - fixed argv
            except BaseException as exc:  # handed to the caller
                future.set_exception(exc)


_SERVERS: dict[str, ForkServer] = {}
_SERVERS_LOCK = threading.Lock()
_STARTER = _Starter()


def server(kind: str) -> ForkServer:
    with _SERVERS_LOCK:
        return _SERVERS.setdefault(kind, ForkServer(kind))


def start_run(kind: str, uid: int, lock: int | None) -> process.Jail:
    return server(kind).start_run(uid, lock)


def try_start(kind: str, uid: int, lock: int | None) -> process.Jail | None:
    """A forked run of ``kind``, or None: no fork server here, or it failed (logged)."""
    if not available():
        return None
    try:
        return start_run(kind, uid, lock)
    except OSError as exc:
        log.warning("the sandbox fork server failed (%s): a fresh jail for this run", exc)
        return None


@cache
def available() -> bool:
    """Whether this process forks its runs: root, bubblewrap, not turned off, and a first
    run through the server worked (checked once)."""
    if (os.environ.get("QUIZAPP_SANDBOX_FORK", "1") == "0"
            or process.sandbox_mode() != "bwrap" or not uids.drop_uid()):
        return False
    uid, lock = uids.claim_run_uid()
    try:
        jail = start_run("", uid, lock)
    except OSError as exc:
        uids.release_uid(lock)
        log.warning("the sandbox fork server does not work here (%s): a jail per run", exc)
        return False
    result = process.run_in(jail, {"kind": "code", "source": "", "tests": []},
                            process.Limits())
    if result.status != "ok":
        log.warning("the sandbox fork server's first run %s: a jail per run", result.status)
    return result.status == "ok"


def stop_all() -> None:
    with _SERVERS_LOCK:
        servers = list(_SERVERS.values())
    for each in servers:
        each.stop()


def _forget_after_fork() -> None:
    global _STARTER  # the parent's thread does not exist in the child
    _STARTER = _Starter()
    for each in _SERVERS.values():
        each.forget()


os.register_at_fork(after_in_child=_forget_after_fork)
atexit.register(stop_all)
