"""A network (port 9100 style) receipt printer on 127.0.0.1 for tests: it keeps each
connection's bytes and answers status requests (DLE EOT n) as a ready printer does."""

from __future__ import annotations

import socket
import threading

DLE_EOT = b"\x10\x04"
READY = {1: 0x12, 2: 0x12, 4: 0x12}  # DLE EOT 1, 2, 4 answers of a printer online, paper in


class TcpPrinter:
    """A network printer on 127.0.0.1: keeps each connection's bytes, answers DLE EOT n."""

    def __init__(self, port: int = 0) -> None:
        # A given port: the same printer switched on again at the address the till knows.
        self.server = socket.create_server(("127.0.0.1", port))
        self.port = self.server.getsockname()[1]
        self.jobs: list[bytes] = []
        self.done = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return  # closed
            data = bytearray()
            with conn:
                while chunk := conn.recv(65536):
                    data += chunk
                    if data[-3:-1] == DLE_EOT:
                        conn.sendall(bytes([READY[data[-1]]]))
            with self.done:
                self.jobs.append(bytes(data))
                self.done.notify_all()

    def job(self, n: int) -> bytes:
        with self.done:
            assert self.done.wait_for(lambda: len(self.jobs) > n, timeout=10)
            return self.jobs[n]

    def sent(self) -> list[bytes]:
        """Every connection's bytes so far (status checks too), oldest first."""
        with self.done:
            return list(self.jobs)

    def close(self) -> None:
        """Switch it off (again is fine): nothing listens on its port any more."""
        if self.server.fileno() == -1:
            return
        self.server.shutdown(socket.SHUT_RDWR)  # wakes accept(); close() alone would not
        self.server.close()
        self._thread.join(timeout=10)
