"""The failover policy on an injected clock: each scenario is a timeline of observations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.network.base import LinkKind
from kiosk.network.failover import (
    Action,
    Connectivity,
    Observed,
    Settings,
    State,
    Uplink,
    Verb,
    decide,
    initial_state,
)

GOOD = Uplink(present=True, connected=True, connectivity=Connectivity.FULL, probe_ok=True)
NO_LINK = Uplink(present=True, connected=False)
PORTAL = replace(GOOD, connectivity=Connectivity.PORTAL)
LIMITED = replace(GOOD, connectivity=Connectivity.LIMITED)
NONE = replace(GOOD, connectivity=Connectivity.NONE)
PROBE_FAILS = replace(GOOD, probe_ok=False)  # NetworkManager says FULL; the store says nothing
UNCHECKED = Uplink(present=True, connected=True)  # no connectivity check, not probed
MODEM = Uplink(present=True)
DEFAULTS = Settings()
ON_WIFI = Observed(wifi=GOOD, cellular=MODEM)

FAILOVER = (
    Action(Verb.ACTIVATE, LinkKind.CELLULAR),
    Action(Verb.DEMOTE, LinkKind.WIFI),
)
FAILBACK = (Action(Verb.RESTORE, LinkKind.WIFI), Action(Verb.DEACTIVATE, LinkKind.CELLULAR))


def run(
    timeline: list[tuple[float, Observed]],
    settings: Settings = DEFAULTS,
    step: float = 1.0,
    *,
    modem_works: bool = True,
) -> list[tuple[float, tuple[Action, ...], str]]:
    """Calls decide() every `step` seconds; each observation holds until the next one's time.

    The modem does what it is told, as NetworkManager would (unless `modem_works` is False): up
    after "activate cellular", down after "deactivate cellular".
    """
    state = State()
    taken: list[tuple[float, tuple[Action, ...], str]] = []
    end = timeline[-1][0]
    now, i, modem_up = 0.0, 0, False
    while now <= end:
        while i + 1 < len(timeline) and timeline[i + 1][0] <= now:
            i += 1
        observed = timeline[i][1]
        if observed.cellular.present and not observed.cellular.connected:
            observed = replace(observed, cellular=replace(observed.cellular, connected=modem_up))
        decision, state = decide(observed, state, now, settings)
        if decision.actions:
            taken.append((now, decision.actions, decision.reason))
        for action in decision.actions:
            if action.kind is LinkKind.CELLULAR:
                modem_up = action.verb is Verb.ACTIVATE and modem_works
        now += step
    return taken


def times(taken: list[tuple[float, tuple[Action, ...], str]]) -> list[tuple[float, str]]:
    return [
        (t, "failover" if a == FAILOVER else "failback" if a == FAILBACK else str(a))
        for t, a, _ in taken
    ]


@pytest.mark.parametrize(
    ("name", "wifi", "failover_at"),
    [
        ("link loss", NO_LINK, 13.0),  # 10 + the 3 s link grace: within the 5 s target
        ("captive portal", PORTAL, 20.0),  # 10 + the 10 s internet grace: within 30 s
        ("limited", LIMITED, 20.0),
        ("no internet", NONE, 20.0),
        ("store unreachable, NM says full", PROBE_FAILS, 20.0),
    ],
)
def test_failover_within_its_target(name: str, wifi: Uplink, failover_at: float) -> None:
    taken = run([(0, ON_WIFI), (10, Observed(wifi=wifi, cellular=MODEM)), (40, ON_WIFI)])

    assert times(taken)[0] == (failover_at, "failover"), name
    assert "failover to cellular" in taken[0][2]
    assert failover_at - 10 <= (5 if wifi is NO_LINK else 30)


@pytest.mark.parametrize(
    "wifi", [GOOD, UNCHECKED, replace(GOOD, connectivity=Connectivity.UNKNOWN, probe_ok=None)]
)
def test_no_evidence_of_trouble_is_no_switch(wifi: Uplink) -> None:
    assert run([(0, Observed(wifi=wifi, cellular=MODEM)), (300, ON_WIFI)]) == []


def test_a_blip_shorter_than_the_grace_is_ridden_out() -> None:
    timeline = [(0, ON_WIFI), (10, Observed(wifi=NO_LINK, cellular=MODEM)), (12, ON_WIFI)]
    timeline += [(20, Observed(wifi=PORTAL, cellular=MODEM)), (29, ON_WIFI), (60, ON_WIFI)]
    assert run(timeline) == []


def test_dead_internet_then_lost_link_takes_the_shorter_grace() -> None:
    timeline = [
        (0, Observed(wifi=PORTAL, cellular=MODEM)),
        (2, Observed(wifi=NO_LINK, cellular=MODEM)),
    ]
    timeline.append((30, Observed(wifi=NO_LINK, cellular=MODEM)))
    assert times(run(timeline))[0] == (5.0, "failover")


def test_recovery_fails_back_after_the_hold_and_not_before() -> None:
    down = Observed(wifi=NO_LINK, cellular=MODEM)
    taken = run([(0, ON_WIFI), (10, down), (30, ON_WIFI), (200, ON_WIFI)])

    assert times(taken) == [(13.0, "failover"), (90.0, "failback")]  # 30 + the 60 s hold
    assert taken[1][2] == "fail back to WiFi: usable for 60 s"


def test_the_hold_is_configurable() -> None:
    down = Observed(wifi=NO_LINK, cellular=MODEM)
    taken = run([(0, down), (10, ON_WIFI), (60, ON_WIFI)], Settings(hold_s=15))
    assert times(taken) == [(3.0, "failover"), (25.0, "failback")]


def test_flapping_wifi_restarts_the_hold_and_the_cap_stops_the_see_saw() -> None:
    down = Observed(wifi=NO_LINK, cellular=MODEM)
    # WiFi is up 61 s and down 5 s, over and over, for an hour.
    timeline: list[tuple[float, Observed]] = []
    t = 0.0
    while t < 3600:
        timeline += [(t, ON_WIFI), (t + 61, down)]
        t += 66
    taken = run(timeline, Settings(max_switches_per_hour=4))

    # Over, back, over, back: the cap is reached, and the next failover (never refused: WiFi is
    # dead) leaves it on cellular, which works, for the rest of the hour.
    kinds = [k for _, k in times(taken)]
    assert kinds == ["failover", "failback", "failover", "failback", "failover"]
    assert [k for _, k in times(run(timeline, Settings(max_switches_per_hour=1)))] == ["failover"]


def test_wifi_that_drops_during_the_hold_starts_the_hold_over() -> None:
    down = Observed(wifi=NO_LINK, cellular=MODEM)
    timeline = [(0, down), (10, ON_WIFI), (50, down), (52, ON_WIFI), (200, ON_WIFI)]
    assert times(run(timeline)) == [(3.0, "failover"), (112.0, "failback")]


def test_the_cap_counts_only_the_last_hour() -> None:
    state = State(on_cellular=True, usable_since=0.0, switches=(0.0, 10.0))
    decision, _ = decide(ON_WIFI, state, 100.0, Settings(max_switches_per_hour=2))
    assert decision.actions == ()
    assert "2 switches this hour" in decision.reason
    decision, _ = decide(ON_WIFI, state, 3601.0, Settings(max_switches_per_hour=2))
    assert decision.actions == FAILBACK


def test_no_modem_does_nothing_and_says_why() -> None:
    state = State()
    for now in (0.0, 100.0):
        decision, state = decide(Observed(wifi=NO_LINK), state, now)
        assert decision.actions == ()
        assert (
            decision.reason == "WiFi without a link; no modem or cellular profile to fail over to"
        )


def test_a_payment_in_progress_defers_the_failback_but_not_the_failover() -> None:
    down = Observed(wifi=NO_LINK, cellular=MODEM, payment_in_progress=True)
    paying = replace(ON_WIFI, payment_in_progress=True)
    taken = run([(0, down), (10, paying), (100, ON_WIFI), (120, ON_WIFI)])

    assert times(taken) == [(3.0, "failover"), (100.0, "failback")]  # not at 70: paying
    state = State(on_cellular=True, usable_since=0.0)
    decision, _ = decide(paying, state, 70.0)
    assert decision.reason == "on cellular: WiFi is back, waiting for the card payment"


def test_ethernet_is_preferred_and_both_primaries_are_demoted_on_failover() -> None:
    both_down = Observed(ethernet=NO_LINK, wifi=PORTAL, cellular=MODEM)
    assert run([(0, Observed(ethernet=GOOD, wifi=NO_LINK, cellular=MODEM)), (100, ON_WIFI)]) == []
    taken = run([(0, both_down), (10, both_down)])
    assert taken[0][1] == (
        Action(Verb.ACTIVATE, LinkKind.CELLULAR),
        Action(Verb.DEMOTE, LinkKind.ETHERNET),
        Action(Verb.DEMOTE, LinkKind.WIFI),
    )
    assert taken[0][2] == "failover to cellular: WiFi connectivity PORTAL"


def test_every_decision_has_a_reason() -> None:
    state = State()
    for now, observed in enumerate([ON_WIFI, Observed(wifi=NO_LINK, cellular=MODEM)] * 5):
        decision, state = decide(observed, state, float(now))
        assert decision.reason


def test_a_cellular_link_found_up_is_ours_to_fail_back() -> None:
    observed = Observed(wifi=GOOD, cellular=replace(MODEM, connected=True))
    state = initial_state(observed)
    assert state.on_cellular
    decision, state = decide(observed, state, 0.0)
    assert decision.actions == ()
    decision, _ = decide(observed, state, 60.0)
    assert decision.actions == FAILBACK


def test_a_cellular_link_that_drops_is_asked_up_again_every_30_s() -> None:
    dead = Observed(wifi=NO_LINK, cellular=MODEM)  # the modem is not connected either
    taken = run([(0, dead), (100, dead)], modem_works=False)
    assert [(t, a) for t, a, _ in taken] == [
        (3.0, FAILOVER),
        (33.0, (Action(Verb.ACTIVATE, LinkKind.CELLULAR),)),
        (63.0, (Action(Verb.ACTIVATE, LinkKind.CELLULAR),)),
        (93.0, (Action(Verb.ACTIVATE, LinkKind.CELLULAR),)),
    ]
    assert taken[1][2] == "on cellular, which dropped: WiFi without a link"
    up = Observed(wifi=NO_LINK, cellular=replace(MODEM, connected=True))
    assert run([(0, dead), (10, up), (100, up)]) == [(3.0, FAILOVER, taken[0][2])]
