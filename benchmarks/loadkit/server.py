"""Start gunicorn as a deployment would, and read its processes' CPU time and memory."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def cpu_seconds(pid: int, reaped: bool = False) -> float:
    """user + system time of ``pid`` (plus its waited-for children's when ``reaped``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / TICKS


def machine_busy_seconds() -> float:
    """CPU time every core spent not idle (all processes: server, clients, database, jails)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / TICKS


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Gunicorn:
    """One gunicorn master with ``workers`` sync workers on a free local port."""

    def __init__(self, app: str, env: dict[str, str], workers: int = 2, threads: int = 1,
                 log: Path | None = None, root: Path = ROOT) -> None:
        """Serve ``app`` from the checkout ``root`` (by default this one), with its venv."""
        self.port = free_port()
        full_env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                    "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": str(threads),
                    "PYTHONPATH": str(root)}
        gunicorn = GUNICORN if root == ROOT else root / ".venv" / "bin" / "gunicorn"
        self._log = open(log or os.devnull, "wb")  # noqa: SIM115  (closed in stop)
        self.process = subprocess.Popen(  # noqa: S603  (our own gunicorn, fixed argv)
            [str(gunicorn), "-c", str(root / "gunicorn.conf.py"), app],
            cwd=root, env=full_env, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.workers = workers

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, path: str = "/healthz", timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", path)
                ok = conn.getresponse().status == 200
                if ok and len(children(self.pid)) >= self.workers:
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.1)
        raise RuntimeError("gunicorn did not become ready")

    def worker_pids(self) -> list[int]:
        return children(self.pid)

    def cpu_seconds(self) -> float:
        """Master and workers (including workers that already exited).

        The jailed processes of code answers are not in it: bubblewrap's PID namespace
        reaps them, so their CPU never reaches the workers' child times.
        """
        return cpu_seconds(self.pid, reaped=True) + sum(
            cpu_seconds(pid) for pid in self.worker_pids())

    def worker_rss_mb(self) -> list[float]:
        return [rss_mb(pid) for pid in self.worker_pids()]

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()
