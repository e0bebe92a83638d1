"""Which uplink the till should use: a pure function of what was observed and the time.

`decide(observed, state, now, settings)` returns the actions to take and the policy's new state;
it does no I/O and reads no clock, so every timing below is tested on an injected one.

The policy, and the NetworkManager behaviour it rests on:
- Ethernet, then WiFi, are the primary uplinks; cellular is the backup. Between Ethernet and WiFi
  NetworkManager chooses by route metric (system/NetworkManager: Ethernet 100, WiFi 600), so the
  policy never arbitrates between them: a primary is usable when either is.
- A primary is unusable when it has no link (its device is not ACTIVATED) or keeps its link but
  the internet is gone: NetworkManager's connectivity check says NONE, PORTAL or LIMITED, or our
  own probe of the store's host through it failed. UNKNOWN connectivity (no check configured) and
  "not probed" are no evidence either way.
- Failover (after `link_grace_s` for a lost link, `internet_grace_s` for a dead internet) activates
  the cellular connection and demotes the primaries: their route metric is raised above
  cellular's, so a primary that comes back does not take the default route before the hold.
  NetworkManager itself adds 20000 to the metric of a device whose connectivity is not FULL, but
  only when a check is configured, and never on our probe's word: hence the explicit demotion.
- Fail-back restores the primaries' metrics and deactivates cellular, only once a primary has been
  usable for `hold_s` without a break, never while a card payment is in progress (the payment's
  requests would be cut mid-flight), and only while fewer than `max_switches_per_hour` switches
  happened in the last hour. Failover is never held back by the cap or a payment: staying on a
  dead link helps no one. The hold and the graces are the hysteresis.
- Without a modem there is nothing to fail over to: the decision says so and does nothing. A
  cellular link that drops while it carries the till is asked up again every `reactivate_s`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from kiosk.network.base import LinkKind

HOUR_S = 3600.0


class Connectivity(IntEnum):
    """NetworkManager's NMConnectivityState, numbered as on D-Bus."""

    UNKNOWN = 0
    NONE = 1
    PORTAL = 2
    LIMITED = 3
    FULL = 4


DEAD = frozenset({Connectivity.NONE, Connectivity.PORTAL, Connectivity.LIMITED})


class Verb(StrEnum):
    ACTIVATE = "activate"  # bring a connection up on its device
    DEACTIVATE = "deactivate"
    DEMOTE = "demote"  # raise the route metric above cellular's: traffic leaves it
    RESTORE = "restore"  # the configured route metric again


@dataclass(frozen=True, slots=True)
class Action:
    verb: Verb
    kind: LinkKind

    def __str__(self) -> str:
        return f"{self.verb} {self.kind}"


@dataclass(frozen=True, slots=True)
class Uplink:
    """One kind of uplink as observed: its device, link, and whether the internet is behind it."""

    present: bool = False  # a device of this kind exists (for cellular: a modem and a profile)
    connected: bool = False  # its device is ACTIVATED
    connectivity: Connectivity = Connectivity.UNKNOWN  # NetworkManager's check through it
    probe_ok: bool | None = None  # our probe of the store's host through it; None: not probed

    @property
    def internet_dead(self) -> bool:
        return self.connectivity in DEAD or self.probe_ok is False

    @property
    def usable(self) -> bool:
        return self.connected and not self.internet_dead


ABSENT = Uplink()


@dataclass(frozen=True, slots=True)
class Observed:
    ethernet: Uplink = ABSENT
    wifi: Uplink = ABSENT
    cellular: Uplink = ABSENT
    payment_in_progress: bool = False


@dataclass(frozen=True, slots=True)
class Settings:
    link_grace_s: float = 3.0  # a lost link this long fails over (target <= 5 s)
    internet_grace_s: float = 10.0  # a dead internet this long fails over (target <= 30 s)
    hold_s: float = 60.0  # a primary usable this long fails back
    max_switches_per_hour: int = 6
    reactivate_s: float = 30.0  # a cellular link that dropped is asked up again this often


@dataclass(frozen=True, slots=True)
class State:
    on_cellular: bool = False  # we failed over: cellular is up, the primaries demoted
    failover_due: float | None = None  # when the unusable primary will be left, if still so
    usable_since: float | None = None  # on cellular: since when a primary has been usable
    activated_at: float | None = None  # when cellular was last asked to come up
    switches: tuple[float, ...] = field(default=())  # times of the switches in the last hour


@dataclass(frozen=True, slots=True)
class Decision:
    actions: tuple[Action, ...]
    reason: str  # for the log: why these actions, or why none


def initial_state(observed: Observed) -> State:
    """The state to start from: a cellular link found already up is taken as a failover of ours."""
    return State(on_cellular=observed.cellular.connected)


def primary_usable(observed: Observed) -> bool:
    return observed.ethernet.usable or observed.wifi.usable


def _trouble(observed: Observed) -> tuple[str, bool] | None:
    """Why no primary is usable and whether it is a lost link, or None when one is usable."""
    if primary_usable(observed):
        return None
    links = [(n, u) for n, u in (("Ethernet", observed.ethernet), ("WiFi", observed.wifi))]
    up = [(n, u) for n, u in links if u.connected]
    if not up:
        present = [n for n, u in links if u.present]
        return (f"{' and '.join(present) or 'no primary uplink'} without a link", True)
    why = []
    for name, uplink in up:
        if uplink.connectivity in DEAD:
            why.append(f"{name} connectivity {uplink.connectivity.name}")
        if uplink.probe_ok is False:
            why.append(f"the store's host unreachable over {name}")
    return (", ".join(why), False)


def _recent(switches: tuple[float, ...], now: float) -> tuple[float, ...]:
    return tuple(t for t in switches if now - t < HOUR_S)


def decide(
    observed: Observed, state: State, now: float, settings: Settings = Settings()
) -> tuple[Decision, State]:
    """The actions to take now, with their reason, and the state to pass to the next call."""
    switches = _recent(state.switches, now)
    state = dataclasses.replace(state, switches=switches)
    if state.on_cellular:
        return _on_cellular(observed, state, now, settings)
    return _on_primary(observed, state, now, settings)


def _on_primary(
    observed: Observed, state: State, now: float, settings: Settings
) -> tuple[Decision, State]:
    trouble = _trouble(observed)
    if trouble is None:
        reason = "Ethernet is usable" if observed.ethernet.usable else "WiFi is usable"
        return Decision((), reason), dataclasses.replace(state, failover_due=None)
    why, link_lost = trouble
    grace = settings.link_grace_s if link_lost else settings.internet_grace_s
    # A dead internet that then loses its link too is left on the shorter grace, from now.
    due = now + grace if state.failover_due is None else min(state.failover_due, now + grace)
    waiting = dataclasses.replace(state, failover_due=due)
    if not observed.cellular.present:
        return Decision((), f"{why}; no modem or cellular profile to fail over to"), waiting
    if now < due:
        return Decision((), f"{why}; failing over at {due:g} unless it recovers"), waiting
    actions = [Action(Verb.ACTIVATE, LinkKind.CELLULAR)]
    actions += [
        Action(Verb.DEMOTE, kind)
        for kind, uplink in ((LinkKind.ETHERNET, observed.ethernet), (LinkKind.WIFI, observed.wifi))
        if uplink.present
    ]
    new = State(on_cellular=True, switches=(*state.switches, now), activated_at=now)
    return Decision(tuple(actions), f"failover to cellular: {why}"), new


def _on_cellular(
    observed: Observed, state: State, now: float, settings: Settings
) -> tuple[Decision, State]:
    if not primary_usable(observed):
        trouble = _trouble(observed)
        why = trouble[0] if trouble else "no primary uplink"
        state = dataclasses.replace(state, usable_since=None)
        cellular = observed.cellular
        last = state.activated_at
        # A modem that lost its network is asked up again, but not so often that each request
        # cuts short the attach the previous one started.
        due = last is None or now - last >= settings.reactivate_s
        if cellular.present and not cellular.connected and due:
            again = dataclasses.replace(state, activated_at=now)
            activate = (Action(Verb.ACTIVATE, LinkKind.CELLULAR),)
            return Decision(activate, f"on cellular, which dropped: {why}"), again
        return Decision((), f"on cellular: {why}"), state
    since = state.usable_since if state.usable_since is not None else now
    state = dataclasses.replace(state, usable_since=since)
    name = "Ethernet" if observed.ethernet.usable else "WiFi"
    if now - since < settings.hold_s:
        back = since + settings.hold_s
        return Decision((), f"on cellular: {name} usable since {since:g}, back at {back:g}"), state
    if observed.payment_in_progress:
        return Decision((), f"on cellular: {name} is back, waiting for the card payment"), state
    if len(state.switches) >= settings.max_switches_per_hour:
        return Decision(
            (), f"on cellular: {name} is back, but {len(state.switches)} switches this hour"
        ), state
    actions = [
        Action(Verb.RESTORE, kind)
        for kind, uplink in ((LinkKind.ETHERNET, observed.ethernet), (LinkKind.WIFI, observed.wifi))
        if uplink.present
    ]
    # The primary takes the route back first, then cellular goes: no gap in between.
    actions.append(Action(Verb.DEACTIVATE, LinkKind.CELLULAR))
    held = now - since
    new = State(on_cellular=False, switches=(*state.switches, now))
    return Decision(tuple(actions), f"fail back to {name}: usable for {held:g} s"), new
