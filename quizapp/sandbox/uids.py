"""The runs' own uids: one per run, unique across the app's processes, swept after each run.

When the app runs as root each run (and each spare) claims an unprivileged uid
(``SLOT_UID_BASE`` … ``+ UID_COUNT - 1``) with a ``flock``ed lock file, so RLIMIT_NPROC
applies per run and runs cannot read each other's files; after the run, every process still
running under that uid is killed (docs/sandbox.md, steps 1 and 8).
"""

from __future__ import annotations

import fcntl
import os
import secrets
import signal
import tempfile
import time
from pathlib import Path

SLOT_UID_BASE = 61_000  # runs use uids SLOT_UID_BASE .. SLOT_UID_BASE + UID_COUNT - 1
UID_COUNT = 256
LOCK_DIR = Path(tempfile.gettempdir()) / "quizapp-sandbox-uids"


def drop_uid() -> bool:
    """Whether runs get uids of their own: the app runs as root (and ``setpriv``, which a
    fresh jail switches with, exists)."""
    return os.geteuid() == 0 and os.path.exists("/usr/bin/setpriv")


# What a uid's lock file says: a jail that ended cleanly leaves _IDLE; _RUNNING left behind
# means its worker died while the jail lived, and the next holder sweeps that uid first.
_RUNNING, _IDLE = b"running", b"idle\0\0\0"


def claim_run_uid() -> tuple[int, int]:
    uid, lock = claim_uid()
    if os.pread(lock, len(_RUNNING), 0) == _RUNNING:
        kill_uid(uid, thorough=True)  # leftovers of a worker that died mid-run
    os.pwrite(lock, _RUNNING, 0)
    return uid, lock


def release_uid(lock: int | None) -> None:
    """Free a uid whose processes are gone (or never started)."""
    if lock is None:
        return
    os.pwrite(lock, _IDLE, 0)
    os.close(lock)


def claim_uid() -> tuple[int, int]:
    """A sandbox uid no other run (in any process) holds: locked until the fd is closed."""
    LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    start = secrets.randbelow(UID_COUNT)
    while True:
        for offset in range(UID_COUNT):
            uid = SLOT_UID_BASE + (start + offset) % UID_COUNT
            if (fd := lock_uid(uid)) is not None:
                return uid, fd
        time.sleep(0.05)


def lock_uid(uid: int) -> int | None:
    """``uid``'s lock file, locked for the caller until the fd is closed; None when a run or
    a spare (in any process) holds it."""
    fd = os.open(LOCK_DIR / f"{uid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def kill_uid(uid: int, thorough: bool = False) -> None:
    """Kill every process of ``uid`` (a sweep behind the PID namespace, which already takes
    the jail's processes with it when the run ends).

    The quick sweep goes by the owner of ``/proc/<pid>`` (one stat per process); the
    thorough one reads each process's real and effective uids from its status file, which
    also finds a process that made itself non-dumpable (its ``/proc`` entry is then owned by
    root) and costs about eight times as much CPU: it runs only after a worker died mid-run.
    A process just killed with its namespace is often still there for a millisecond or two:
    the sweep looks again after short, growing pauses (it used to sleep 10 ms at once,
    most of the time a run took to clean up).
    """
    for pause in (0.0005, 0.001, 0.002, 0.004, 0.008, 0.016):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if _owned_by(entry, uid, thorough):
                    found = True
                    os.kill(int(entry.name), signal.SIGKILL)
            except (OSError, ProcessLookupError, IndexError):
                continue
        if not found:
            return
        time.sleep(pause)


def _owned_by(entry: os.DirEntry[str], uid: int, thorough: bool) -> bool:
    if not thorough:
        return entry.stat(follow_symlinks=False).st_uid == uid
    with open(f"/proc/{entry.name}/status", encoding="ascii", errors="replace") as status:
        owners = next((line.split()[1:3] for line in status if line.startswith("Uid:")), [])
    return str(uid) in owners
