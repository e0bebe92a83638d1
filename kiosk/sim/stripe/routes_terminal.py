"""The Terminal endpoints: locations, readers, reader actions, connection tokens, test helpers.

Relied on (Stripe API reference, Terminal): POST/GET /v1/terminal/locations (display_name and
address[country] required) and GET .../{location}; POST /v1/terminal/readers registers by
`registration_code` (+ `location`, `label`), GET lists (filters location, status,
device_type) and retrieves, DELETE answers `{"id", "object": "terminal.reader", "deleted":
true}`; POST .../process_payment_intent {payment_intent, process_config} and
.../cancel_action return the Reader; POST /v1/terminal/connection_tokens returns
`{"object": "terminal.connection_token", "secret": "pst_test_..."}`; POST
/v1/test_helpers/terminal/readers/{reader}/present_payment_method {type, card_present[number],
amount_tip} acts for the customer on a simulated reader, in test mode only. A reader's action
can be expanded down to its PaymentIntent (`expand[]=action.process_payment_intent.payment_intent`).
Restricted keys: `rak_terminal_reader_*`, `rak_terminal_location_*`,
`rak_terminal_connection_token_write` (the test helper: reader write, our assumption).
"""

from __future__ import annotations

import copy

from kiosk.sim.stripe import errors
from kiosk.sim.stripe.app import Call, Route, SimContext
from kiosk.sim.stripe.cards import DEFAULT_CARD
from kiosk.sim.stripe.forms import Spec, boolean, integer, metadata, obj, one_of, text
from kiosk.sim.stripe.routes_payments import PAGING, out
from kiosk.sim.stripe.state import Obj

READ, WRITE = "rak_terminal_reader_read", "rak_terminal_reader_write"
LOC_READ, LOC_WRITE = "rak_terminal_location_read", "rak_terminal_location_write"
ADDRESS = obj(
    {k: text() for k in ("city", "country", "line1", "line2", "postal_code", "state")},
    required=("country",),
)
PROCESS_CONFIG = obj(
    {
        "skip_tipping": boolean,
        "tipping": obj({"amount_eligible": integer}),
        "enable_customer_cancellation": boolean,  # newer than the OpenAPI snapshot
    }
)


def _location(ctx: SimContext, lid: str) -> Obj | None:
    found = ctx.state.locations.get(lid)
    return None if found is None else copy.deepcopy(found)


def _intent(ctx: SimContext, pid: str) -> Obj | None:
    found = ctx.state.payment_intents.get(pid)
    return None if found is None else out(ctx, found)


READER_EXPAND = {
    "location": (LOC_READ, _location),
    "action.process_payment_intent.payment_intent": ("rak_payment_intent_read", _intent),
}


def _reader(call: Call, param: str = "reader") -> Obj:
    state = call.state
    rid = call.args["reader"]
    if rid in state.deleted_readers and rid not in state.readers:
        raise errors.no_such("terminal.reader", rid, param)
    return state.find(state.readers, "terminal.reader", rid, call.key, param)


async def create_location(call: Call) -> Obj:
    p, state = call.params, call.state
    address = dict.fromkeys(("city", "country", "line1", "line2", "postal_code", "state"))
    address.update(p["address"])
    location = {
        "id": state.new_id("tml", 14),
        "object": "terminal.location",
        "address": address,
        "display_name": p["display_name"],
        "livemode": call.key.livemode,
        "metadata": p.get("metadata") or {},
    }
    if "configuration_overrides" in p:
        location["configuration_overrides"] = p["configuration_overrides"]
    state.locations[location["id"]] = state.created(location)
    return copy.deepcopy(location)


async def list_locations(call: Call) -> Obj:
    return call.state.page(
        call.state.locations.values(), call.key, call.params, "/v1/terminal/locations"
    )


async def get_location(call: Call) -> Obj:
    state = call.state
    return copy.deepcopy(
        state.find(
            state.locations, "terminal.location", call.args["location"], call.key, "location"
        )
    )


async def register_reader(call: Call) -> Obj:
    p, state = call.params, call.state
    location = p.get("location")
    if location is not None:
        state.find(state.locations, "terminal.location", location, call.key, "location")
    reader = call.ctx.terminal.register(call.key, p["registration_code"], p.get("label"), location)
    if p.get("metadata"):
        reader["metadata"] = dict(p["metadata"])
    return copy.deepcopy(reader)


async def list_readers(call: Call) -> Obj:
    p = call.params
    items = [
        r
        for r in call.state.readers.values()
        if all(p.get(f, r[f]) == r[f] for f in ("location", "status", "device_type"))
    ]
    return copy.deepcopy(call.state.page(items, call.key, p, "/v1/terminal/readers"))


async def get_reader(call: Call) -> Obj:
    rid = call.args["reader"]
    gone = call.state.deleted_readers.get(rid)
    if gone is not None and gone["livemode"] == call.key.livemode:
        return {k: v for k, v in gone.items() if k != "livemode"}
    return copy.deepcopy(_reader(call))


async def delete_reader(call: Call) -> Obj:
    return call.ctx.terminal.delete(_reader(call))


async def process_payment_intent(call: Call) -> Obj:
    reader = _reader(call)
    state = call.state
    pid = call.params["payment_intent"]
    intent = state.find(state.payment_intents, "payment_intent", pid, call.key, "payment_intent")
    config = call.params.get("process_config")
    return copy.deepcopy(call.ctx.terminal.process(reader, intent, config))


async def cancel_action(call: Call) -> Obj:
    return copy.deepcopy(call.ctx.terminal.cancel_action(_reader(call)))


async def present_payment_method(call: Call) -> Obj:
    reader = _reader(call)
    if call.key.livemode or not reader["device_type"].startswith("simulated_"):
        raise errors.invalid(  # ours: Stripe's words were not found
            "Test helpers can only be used with simulated readers in test mode.",
        )
    p = call.params
    number = p.get("card_present", {}).get("number", DEFAULT_CARD)
    if p.get("type", "card_present") != "card_present":
        raise errors.invalid("This simulator presents card_present cards only.", param="type")
    return copy.deepcopy(call.ctx.terminal.present(reader, number))


async def connection_token(call: Call) -> Obj:
    p, state = call.params, call.state
    if "location" in p:
        state.find(state.locations, "terminal.location", p["location"], call.key, "location")
    mode = "live" if call.key.livemode else "test"
    token: Obj = {"object": "terminal.connection_token", "secret": state.new_id(f"pst_{mode}", 48)}
    if "location" in p:
        token["location"] = p["location"]
    return token


ROUTES = [
    Route(
        "POST",
        "/v1/terminal/locations",
        LOC_WRITE,
        Spec(
            {
                "display_name": text(1000),
                "address": ADDRESS,
                "metadata": metadata,
                "configuration_overrides": text(1000),
            },
            required=("display_name", "address"),
        ),
        create_location,
    ),
    Route("GET", "/v1/terminal/locations", LOC_READ, Spec(PAGING), list_locations),
    Route("GET", "/v1/terminal/locations/{location}", LOC_READ, Spec({}), get_location),
    Route(
        "POST",
        "/v1/terminal/readers",
        WRITE,
        Spec(
            {
                "registration_code": text(),
                "location": text(),
                "label": text(),
                "metadata": metadata,
            },
            required=("registration_code",),
        ),
        register_reader,
        {"location": READER_EXPAND["location"]},
    ),
    Route(
        "GET",
        "/v1/terminal/readers",
        READ,
        Spec(
            {
                **PAGING,
                "location": text(),
                "status": one_of("offline", "online"),
                "device_type": text(),
            }
        ),
        list_readers,
        {f"data.{k}": v for k, v in READER_EXPAND.items()},
    ),
    Route("GET", "/v1/terminal/readers/{reader}", READ, Spec({}), get_reader, READER_EXPAND),
    Route("DELETE", "/v1/terminal/readers/{reader}", WRITE, Spec({}), delete_reader),
    Route(
        "POST",
        "/v1/terminal/readers/{reader}/process_payment_intent",
        WRITE,
        Spec(
            {"payment_intent": text(), "process_config": PROCESS_CONFIG},
            required=("payment_intent",),
        ),
        process_payment_intent,
        READER_EXPAND,
    ),
    Route(
        "POST",
        "/v1/terminal/readers/{reader}/cancel_action",
        WRITE,
        Spec({}),
        cancel_action,
        READER_EXPAND,
    ),
    Route(
        "POST",
        "/v1/terminal/connection_tokens",
        "rak_terminal_connection_token_write",
        Spec({"location": text()}),
        connection_token,
    ),
    Route(
        "POST",
        "/v1/test_helpers/terminal/readers/{reader}/present_payment_method",
        WRITE,
        Spec(
            {
                "type": one_of("card_present", "interac_present"),
                "card_present": obj({"number": text()}),
                "interac_present": obj({"number": text()}),
                "amount_tip": integer,
            }
        ),
        present_payment_method,
        READER_EXPAND,
    ),
]
