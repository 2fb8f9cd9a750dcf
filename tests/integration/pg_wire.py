"""A TCP relay to PostgreSQL that counts round trips as the server sees them.

Every round trip of PostgreSQL's protocol (a simple query, or extended-protocol messages up
to a Sync, however many statements they carry) ends with exactly one ReadyForQuery message
('Z') from the server, whoever sent it: psycopg's own BEGIN or COMMIT, a prepared statement
or a pipeline. Clients must connect with ``sslmode=disable`` and ``gssencmode=disable`` (an
SSL or GSS request is answered by one byte outside the message framing).
"""

from __future__ import annotations

import contextlib
import socket
import threading

PG_HOST, PG_PORT = "127.0.0.1", 5432


class RoundTripCounter:
    """Relays 127.0.0.1:``port`` to PostgreSQL; ``round_trips`` counts ReadyForQuery."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._count = 0
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def round_trips(self) -> int:
        with self._lock:
            return self._count

    def close(self) -> None:
        for sock in [self._listener, *self._sockets]:
            with contextlib.suppress(OSError):
                sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection((PG_HOST, PG_PORT))
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False),
                             daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True),
                             daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket, counting: bool) -> None:
        pending = b""
        while True:
            try:
                chunk = source.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                with contextlib.suppress(OSError):
                    sink.shutdown(socket.SHUT_WR)
                return
            if counting:  # counted before the client can read it
                pending = self._count_ready(pending + chunk)
            with contextlib.suppress(OSError):
                sink.sendall(chunk)

    def _count_ready(self, data: bytes) -> bytes:
        """Count the whole messages in ``data``; return the incomplete rest."""
        while len(data) >= 5:
            length = int.from_bytes(data[1:5], "big")
            if len(data) < 1 + length:
                break
            if data[:1] == b"Z":
                with self._lock:
                    self._count += 1
            data = data[1 + length:]
        return data
