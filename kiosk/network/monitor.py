"""The failover loop: observe NetworkManager, probe the store's host, decide, act, log why.

NetworkManager is polled every `poll_s` (default 1 s) rather than followed by its signals: a lost
link is signalled as StateChanged on the device's own object and connectivity as PropertiesChanged
on the manager's, so following both takes a subscription per device, made again for devices that
come and go and after every NetworkManager restart. A poll is a handful of property reads (well
under a millisecond on the bus) and needs none of that. One second of polling plus the 3 s link
grace keeps link-loss failover inside its 5 s target.

Our probe of the store's host runs every `probe_s` per connected primary interface (a TCP
connect bounded by its own timeout), so it never holds up a link-loss decision for long.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.network.base import LinkKind
from kiosk.network.control import Control, ControlError, Device, Probe, Snapshot
from kiosk.network.failover import (
    Decision,
    Observed,
    Settings,
    State,
    Uplink,
    decide,
    initial_state,
)

log = logging.getLogger(__name__)
PRIMARIES = (LinkKind.ETHERNET, LinkKind.WIFI)


@dataclass(frozen=True, slots=True)
class Turn:
    """One turn of the loop: what was seen, decided, and which actions failed."""

    at: float
    observed: Observed | None  # None: NetworkManager could not be read
    decision: Decision | None
    failed: tuple[str, ...] = ()


def observed_from(
    snapshot: Snapshot, probes: dict[LinkKind, bool | None], paying: bool
) -> Observed:
    """The policy's view of `snapshot`, with the probe results per primary kind."""

    def uplink(device: Device | None, probe_ok: bool | None) -> Uplink:
        if device is None:
            return Uplink()
        return Uplink(True, device.connected, device.connectivity, probe_ok)

    modem = snapshot.device(LinkKind.CELLULAR)
    cellular = Uplink(
        present=modem is not None and snapshot.cellular_profile is not None,
        connected=modem is not None and modem.connected,
    )
    return Observed(
        ethernet=uplink(snapshot.device(LinkKind.ETHERNET), probes.get(LinkKind.ETHERNET)),
        wifi=uplink(snapshot.device(LinkKind.WIFI), probes.get(LinkKind.WIFI)),
        cellular=cellular,
        payment_in_progress=paying,
    )


class Monitor:
    """Runs the policy against NetworkManager; `step()` is one turn, `run()` turns forever.

    `clock` is injected (monotonic seconds) so tests drive time; `payment_in_progress` is asked
    each turn. Use from one event loop.
    """

    def __init__(
        self,
        control: Control,
        probe: Probe,
        *,
        settings: Settings = Settings(),  # noqa: B008 - frozen, never mutated
        payment_in_progress: Callable[[], bool] = lambda: False,
        clock: Callable[[], float] = time.monotonic,
        poll_s: float = 1.0,
        probe_s: float = 5.0,
    ) -> None:
        self._control, self._probe = control, probe
        self._settings = settings
        self._paying = payment_in_progress
        self._clock = clock
        self.poll_s, self._probe_s = poll_s, probe_s
        self.state: State | None = None  # set from the first observation
        self._probes: dict[LinkKind, tuple[float, bool | None]] = {}  # kind -> (when, result)
        self._last_reason = ""
        self._unreadable = False

    async def step(self) -> Turn:
        now = self._clock()
        try:
            snapshot = await self._control.observe()
        except ControlError as e:
            # NetworkManager restarting or gone: no evidence either way, so keep the state.
            if not self._unreadable:
                log.warning("network: %s; keeping the uplink as it is", e)
                self._unreadable = True
            return Turn(now, None, None)
        if self._unreadable:
            log.info("network: NetworkManager answers again")
            self._unreadable = False
        observed = observed_from(snapshot, await self._probe_due(snapshot, now), self._paying())
        if self.state is None:
            self.state = initial_state(observed)
        decision, self.state = decide(observed, self.state, now, self._settings)
        failed = []
        for action in decision.actions:
            try:
                await self._control.act(action, snapshot)
            except ControlError as e:
                # The policy has moved on; the next observation shows what NetworkManager did.
                log.error("network: %s failed: %s", action, e)
                failed.append(str(action))
        self._log(decision)
        return Turn(now, observed, decision, tuple(failed))

    async def run(self) -> None:
        """Turn every `poll_s` seconds until cancelled."""
        while True:
            await self.step()
            await asyncio.sleep(self.poll_s)

    async def _probe_due(self, snapshot: Snapshot, now: float) -> dict[LinkKind, bool | None]:
        results: dict[LinkKind, bool | None] = {}
        for kind in PRIMARIES:
            device = snapshot.device(kind)
            if device is None or not device.connected:
                self._probes.pop(kind, None)  # a link that comes back is probed afresh
                continue
            last = self._probes.get(kind)
            if last is None or now - last[0] >= self._probe_s:
                last = (now, await self._probe.reachable(device.interface))
                self._probes[kind] = last
            results[kind] = last[1]
        return results

    def _log(self, decision: Decision) -> None:
        if decision.actions:
            actions = ", ".join(str(a) for a in decision.actions)
            log.warning("network: %s (%s)", decision.reason, actions)
        elif decision.reason != self._last_reason:
            log.info("network: %s", decision.reason)
        self._last_reason = decision.reason
