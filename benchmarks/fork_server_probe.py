"""Per-run CPU of a numpy sandbox run: a fresh jail (as now) against a fork-server probe.

A measurement for the fork server sketched in docs/performance-log.md, not a sandbox: the
app does not use it. Today every numpy run starts a bubblewrap jail whose Python imports
numpy (about 80 ms of CPU). The probe starts one jail that keeps CAP_SYS_ADMIN,
CAP_SETUID/SETGID and CAP_SETPCAP, imports numpy once, and forks a child per run; the child
enters new mount, PID, network, IPC and UTS namespaces, makes its mounts private, mounts a
fresh /tmp, drops the bounding set, sets no_new_privs and switches to an unprivileged uid
(which clears its capabilities), then runs a tiny numpy job and reports its effective
capabilities, pid and uid, which the probe checks. Needs root and bubblewrap.

    .venv/bin/python benchmarks/fork_server_probe.py [--runs 20]
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 2, 4, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
FIRST_UID = 61000
JOB = "import numpy as np; float(np.arange(1000).sum())"


def _busy() -> float:
    """The whole machine's CPU time (the jails' processes are outside our child times:
    bubblewrap's PID namespace reaps them); run this on an otherwise idle machine."""
    from benchmarks.loadkit.server import machine_busy_seconds

    return machine_busy_seconds()


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _enter_run(libc: ctypes.CDLL, uid: int) -> None:
    """In the forked child: the run's own namespaces, mounts, no privileges."""
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
                        | CLONE_NEWUTS), "unshare")
    if (pid := os.fork()) != 0:  # a new PID namespace applies to the caller's children
        _, status = os.waitpid(pid, 0)
        os._exit(os.waitstatus_to_exitcode(status))
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate")
    _check(libc.mount(b"tmpfs", b"/tmp", b"tmpfs", MS_NOSUID | MS_NODEV, b"size=16m"),
           "mount /tmp")
    for cap in range(64):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # EINVAL past the last capability
    _check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def serve(runs: int) -> None:
    """Inside the jail: import numpy once, then fork ``runs`` runs one after another."""
    import gc

    import numpy  # noqa: F401  (what the fork server would keep loaded)

    libc = ctypes.CDLL(None, use_errno=True)
    gc.freeze()  # the children's collections leave the shared pages alone
    for run in range(runs):
        if (pid := os.fork()) == 0:
            try:
                _enter_run(libc, FIRST_UID + run)
                exec(JOB)  # noqa: S102  (the probe's own fixed job)
                status = Path("/proc/self/status").read_text()
                caps = status.split("CapEff:")[1].split()[0]
                os.write(1, f"{os.getpid()} {os.getuid()} {caps}\n".encode())
                os._exit(0)
            except BaseException as exc:  # report it and end the child
                os.write(2, f"run failed: {exc}\n".encode())
                os._exit(1)
        os.waitpid(pid, 0)


def _jail(extra: list[str], workdir: Path) -> list[str]:
    from quizapp.sandbox import process

    args = [*process._jail_args(), "--bind", str(workdir), "/job", "--chdir", "/job", *extra]
    return [*args, sys.executable, "-I", "-B", "-S"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        sys.path[:0] = [p for p in os.environ["PROBE_PATHS"].split(os.pathsep) if p]
        serve(args.serve)
        return
    from quizapp.sandbox import process

    if os.geteuid() != 0 or not os.path.exists(process.BWRAP):
        print("fork server probe not run: it needs root and bubblewrap (/usr/bin/bwrap)")
        return
    workdir = Path(tempfile.mkdtemp(prefix="quizapp-probe-"))
    paths = process._import_paths()
    env = {**process.ENV, "PROBE_PATHS": os.pathsep.join(paths)}
    try:
        before, started = _busy(), time.perf_counter()
        for _ in range(args.runs):
            code = f"import sys; sys.path[:0] = {paths!r}; {JOB}"
            subprocess.run([*_jail([], workdir), "-c", code], env=env,  # noqa: S603
                           check=True, capture_output=True)
        fresh_cpu = (_busy() - before) / args.runs * 1000
        fresh_wall = (time.perf_counter() - started) / args.runs * 1000
        extra = ["--ro-bind", str(Path(__file__).resolve()), "/sandbox/probe.py",
                 *(arg for cap in ("SYS_ADMIN", "SETUID", "SETGID", "SETPCAP")
                   for arg in ("--cap-add", f"CAP_{cap}"))]
        server = [*_jail(extra, workdir), "/sandbox/probe.py", f"--serve={args.runs}"]
        before, started = _busy(), time.perf_counter()
        done = subprocess.run(server, env=env, check=True,  # noqa: S603
                              capture_output=True, text=True)
        forked_cpu = (_busy() - before) / args.runs * 1000
        forked_wall = (time.perf_counter() - started) / args.runs * 1000
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    reports = [line.split() for line in done.stdout.splitlines()]
    isolated = len(reports) == args.runs and all(
        pid == "1" and int(uid) >= FIRST_UID and caps == "0" * 16 for pid, uid, caps in reports)
    print(f"fresh jail per run (as now):   {fresh_cpu:6.1f} ms CPU, {fresh_wall:6.1f} ms wall")
    print(f"fork server (one jail, forks): {forked_cpu:6.1f} ms CPU, {forked_wall:6.1f} ms wall"
          " (numpy's one import shared by the runs)")
    print("every forked run was pid 1 in its namespace, unprivileged, without capabilities: "
          + ("yes" if isolated else "NO: " + done.stderr[-300:]))
    print(f"fork server / fresh jail CPU per run: {forked_cpu / fresh_cpu:.2f}x")


if __name__ == "__main__":
    main()
