"""The fork server's jail side: start up once, then fork one jailed run per request.

Standalone like ``runner.py`` (stdlib only; it imports the runner from its own directory):
bubblewrap executes it as ``python -I -B -S /sandbox/zygote.py`` in a jail that keeps
CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID and CAP_SETPCAP (docs/sandbox.md, "The fork server").
It imports what the runner needs (numpy too, for the numpy kind) once, then waits on its
control socket. Each request carries a run's uid, and as descriptors
the run's stdin, stdout, stderr, result channel and report socket; no learner code or job
ever reaches this process. Per request, one process, forked into a new PID namespace (the
server unshares one for its next child, then returns to its own with ``setns``; the app gets
a pidfd of it and kills the run by it): the run's pid 1, which unshares new mount, network,
IPC and UTS namespaces, makes the run's mounts (everything private, a fresh ``/job`` owned
by the run's uid, ``/tmp``, ``/proc`` and ``/dev/pts``), takes its descriptors, drops the
bounding set, sets no_new_privs, switches to the run's uid (which clears its capabilities),
draws fresh random seeds, and only then reads its job (``runner.serve``). When it exits, so
does every process left in its namespace; the server reaps it and reports its exit status
on the run's report socket.

Until 7 Dec 2026 a run was two forks of this server, an init that reaped and reported and
the runner as its pid 2: each fork copies this process's page tables and each exit tears
them down, which was half of a run's CPU.
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import importlib
import json
import os
import re
import select
import signal
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves it out
import runner  # the runner beside this file

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
CAP_VERSION_3 = 0x20080522
JOB = b"/job"
RESULT_FD = 3  # the runner's result channel, as in a fresh jail
TMP_INODES, JOB_INODES = 4096, 1024  # sizes: ``--tmp-bytes``/``--job-bytes`` (process.py)
_TMP_BINDS: list[str] = []  # the jail's mount points below /tmp, read once at start
_SIZES: dict[str, int] = {}  # bytes of a run's /job and /tmp, from the command line
_RUNS: dict[int, tuple[int, int]] = {}  # a live run's pidfd -> (its pid, its report socket)
# Imported once here rather than in every run: what the runner imports per job (sqlite3
# for SQL jobs, resource for the limits) and the standard modules learners' code uses most.
PRELOAD = ("resource", "sqlite3", "collections", "itertools", "heapq", "random", "math",
           "functools", "bisect", "copy", "string")
_LIBC = ctypes.CDLL(None, use_errno=True)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source: bytes | None, target: bytes, kind: bytes | None, flags: int,
           data: bytes | None = None) -> None:
    _check(_LIBC.mount(source, target, kind, flags, data), f"mount {target.decode()}")


def _give_up_privileges(uid: int) -> None:
    """No capability can come back: empty bounding set, no_new_privs, the run's uid, and
    empty effective, permitted and inheritable sets (bubblewrap leaves the inheritable set
    full; a uid change alone does not clear it)."""
    for cap in range(64):
        _LIBC.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last one: fine
    _check(_LIBC.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    data = (_CapData * 2)()
    _check(_LIBC.capset(ctypes.byref(_CapHeader(CAP_VERSION_3, 0)), data), "capset")


def _make_mounts(uid: int) -> None:
    """In the run's new mount namespace, as its pid 1 (so ``/proc`` is the run's)."""
    _mount(b"none", b"/", None, MS_REC | MS_PRIVATE)
    _mount(b"tmpfs", JOB, b"tmpfs", MS_NOSUID | MS_NODEV,  # in memory, gone with the run
           f"mode=0700,uid={uid},gid={uid},size={_SIZES['job']},nr_inodes={JOB_INODES}"
           .encode())
    _fresh_tmp()
    _mount(b"proc", b"/proc", b"proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    _mount(b"devpts", b"/dev/pts", b"devpts", MS_NOSUID | MS_NOEXEC,
           b"newinstance,ptmxmode=0666,mode=0620")


def _fresh_tmp() -> None:
    """A fresh ``/tmp`` that keeps the jail's read-only binds under it: the venv or Python
    can live under ``/tmp`` (a checkout there), and a tmpfs mounted on top would hide them.
    They are held open, covered, then bound again (with what is mounted below them)."""
    held = [(path, os.open(path, os.O_PATH | os.O_CLOEXEC)) for path in _TMP_BINDS]
    _mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV,
           f"mode=1777,size={_SIZES['tmp']},nr_inodes={TMP_INODES}".encode())
    old_mask = os.umask(0o022)
    for path, fd in held:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            os.makedirs(path, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o644))
        _mount(f"/proc/self/fd/{fd}".encode(), path.encode(), None, MS_BIND | MS_REC)
        os.close(fd)
    os.umask(old_mask)


def _mounts_under(top: str) -> list[str]:
    """The outermost mount points below ``top`` in this mount namespace."""
    points = []
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        for line in info:
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4])
            if point.startswith(top + "/"):
                points.append(point)
    points.sort()
    return [p for p in points if not any(p.startswith(q + "/") for q in points if q != p)]


def _close_all_but(keep: set[int]) -> None:
    for fd in sorted(int(entry) for entry in os.listdir("/proc/self/fd")):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                continue


def _run(uid: int, fds: list[int]) -> None:
    """The run's pid 1: its other namespaces and mounts, its descriptors, no privileges,
    fresh seeds, then the job."""
    os.setsid()
    _check(_LIBC.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS), "unshare")
    _make_mounts(uid)
    moved = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in fds[:4]]  # out of the way
    for target, fd in enumerate(moved):  # stdin, stdout, stderr, result channel
        os.dup2(fd, target)
    _close_all_but({0, 1, 2, RESULT_FD})  # the report socket and other runs' too
    os.chdir("/job")
    _give_up_privileges(uid)
    _reseed()
    runner.serve(RESULT_FD)


def _reseed() -> None:
    """Random state drawn after the fork, not the server's copy shared by every run."""
    random = sys.modules.get("random")
    if random is not None:
        random.seed()
    numpy = sys.modules.get("numpy")
    if numpy is not None:
        numpy.random.seed()


def _fork_into_pid_namespace(uid: int, fds: list[int], own_pids: int) -> int:
    """Fork the run as pid 1 of a new PID namespace; this process stays in its own (a new
    PID namespace holds the caller's next child, and ``setns`` back makes the next fork
    this process's again)."""
    _check(_LIBC.unshare(CLONE_NEWPID), "unshare")
    try:
        child = os.fork()
    except OSError:
        child = -1
    if child != 0 and _LIBC.setns(own_pids, CLONE_NEWPID) != 0:
        os._exit(1)  # never fork a later run into this one's namespace: end the server
    if child < 0:
        raise OSError("fork failed")
    if child == 0:
        try:
            _run(uid, fds)
        except BaseException as exc:  # reported; then this child ends, whatever happened
            os.write(2, f"sandbox fork server: {exc}\n".encode())
        os._exit(1)
    return child


def _fork_run(request: bytes, fds: list[int], own_pids: int) -> None:
    """Check a request, fork its run, send the app a pidfd of it, keep the run's report
    socket (for its exit status) and drop this process's copies of its other descriptors."""
    try:
        fields = json.loads(request)
        uid = int(fields["uid"])
        if len(fds) != 5 or uid <= 0:
            return
        child = _fork_into_pid_namespace(uid, fds, own_pids)
        try:
            pidfd = os.pidfd_open(child)
        except OSError:  # nothing to watch it by, so nothing would reap it: end it now
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            raise
        _RUNS[pidfd] = (child, os.dup(fds[4]))
        with socket.socket(fileno=os.dup(fds[4])) as report:
            socket.send_fds(report, [b"pid"], [pidfd])
    except (ValueError, KeyError, TypeError, OSError):
        return
    finally:
        for fd in fds:
            os.close(fd)


def _report_exits(ready: list[int]) -> None:
    """Reap the runs whose pidfd is readable (ended, and every process of their namespace
    with them) and send each exit status on its report socket."""
    for pidfd in ready:
        pid, report = _RUNS.pop(pidfd)
        try:
            _, status = os.waitpid(pid, 0)
            os.write(report, f"exit {os.waitstatus_to_exitcode(status)}".encode())
        except OSError:
            pass  # the app closed its end: it killed the run and stopped listening
        finally:
            os.close(report)
            os.close(pidfd)


def _options(argv: list[str]) -> dict[str, object]:
    """``--control-fd=N``, ``--job-bytes=N``, ``--tmp-bytes=N`` and the runner's own
    (``--path``, ``--preload``)."""
    options = runner.options(argv)
    for arg in argv:
        name, _, value = arg.partition("=")
        if name in ("--control-fd", "--job-bytes", "--tmp-bytes"):
            options[name[2:].replace("-", "_")] = int(value)
    return options


def main() -> None:
    options = _options(sys.argv[1:])
    runner.prepare(options)
    for name in PRELOAD:
        importlib.import_module(name)
    _TMP_BINDS[:] = _mounts_under("/tmp")  # noqa: S108 - the jail's own /tmp
    _SIZES.update(job=int(options["job_bytes"]), tmp=int(options["tmp_bytes"]))
    control = socket.socket(fileno=int(options["control_fd"]))
    own_pids = os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the runs are reaped in _report_exits
    gc.collect()
    gc.freeze()  # the runs' collections leave the shared pages alone
    while True:
        ready, _, _ = select.select([control, *_RUNS], [], [])
        _report_exits([fd for fd in ready if fd in _RUNS])
        if control not in ready:
            continue
        request, fds, _, _ = socket.recv_fds(control, 4096, 8)
        if not request:
            os._exit(0)  # the app closed its end: this process's worker is gone
        _fork_run(request, fds, own_pids)


if __name__ == "__main__":
    main()
