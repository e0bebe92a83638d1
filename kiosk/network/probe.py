"""Our own check that the store is reachable: a TCP connect to its host through one interface.

A TCP handshake is the cheapest proof that packets get to the store and back (no TLS, no HTTP:
the store is never bothered with a request). NetworkManager's connectivity check asks a public
server; this asks the one host the till actually needs, so a firewall or a dead route to the
store fails over too.

Binding to the interface (SO_BINDTODEVICE) is what makes the probe ask about WiFi while the
default route is cellular's; Linux 5.7+ allows it to any user on a socket not yet bound, older
kernels only with CAP_NET_RAW. Without it the probe speaks only for the interface that carries
the default route, and says None for the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable

log = logging.getLogger(__name__)


class TcpProbe:
    """A Probe: can `host`:`port` be connected to within `timeout` seconds through an interface.

    `default_interface` names the interface of the default route (read when asked), for when the
    socket may not be bound: then only that interface's answer is evidence.
    """

    def __init__(
        self,
        host: str,
        port: int = 443,
        *,
        timeout: float = 3.0,
        default_interface: Callable[[], str | None] = lambda: None,
    ) -> None:
        self._host, self._port, self._timeout = host, port, timeout
        self._default_interface = default_interface
        self._may_bind = True  # until Linux says otherwise, once

    async def reachable(self, interface: str) -> bool | None:
        if not self._host:
            return None
        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self._timeout):
                infos = await loop.getaddrinfo(self._host, self._port, type=socket.SOCK_STREAM)
                family, kind, proto, _, address = infos[0]
                sock = socket.socket(family, kind, proto)
                with contextlib.closing(sock):
                    sock.setblocking(False)
                    if not self._bind(sock, interface):
                        return None
                    await loop.sock_connect(sock, address)
        except (OSError, TimeoutError) as e:
            log.debug("probe of %s:%s over %s failed: %r", self._host, self._port, interface, e)
            return False
        return True

    def _bind(self, sock: socket.socket, interface: str) -> bool:
        """Bind to `interface`; False when not allowed and it is not the default route's."""
        if self._may_bind:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, interface.encode())
                return True
            except PermissionError:
                self._may_bind = False
                log.info("probe: not allowed to bind to an interface (needs CAP_NET_RAW)")
        return self._default_interface() == interface
