"""The fidelity check itself: it knows every endpoint the simulator serves, and it catches drift."""

from __future__ import annotations

import copy

from kiosk.sim.stripe import routes_payments, routes_terminal
from tests.fixtures.make_stripe_openapi_subset import NEWER, OPERATIONS
from tests.sim.stripe.openapi import check_request, check_response, description, operation

READER = {
    "id": "tmr_1",
    "object": "terminal.reader",
    "action": {
        "type": "process_payment_intent",
        "status": "in_progress",
        "failure_code": None,
        "failure_message": None,
        "process_payment_intent": {"payment_intent": "pi_1"},
    },
    "device_sw_version": "2.37.2.0",
    "device_type": "simulated_wisepos_e",
    "ip_address": "0.0.0.0",
    "label": "Till",
    "livemode": False,
    "location": "tml_1",
    "metadata": {},
    "serial_number": "s",
    "status": "online",
}
PROCESS = "/v1/terminal/readers/tmr_1/process_payment_intent"


def test_every_route_the_simulator_serves_is_in_the_description() -> None:
    served = {
        (r.template, r.method.lower()) for r in routes_payments.ROUTES + routes_terminal.ROUTES
    }
    described = {(p, m) for p, methods in OPERATIONS.items() for m in methods}
    assert served == described
    assert set(description()["paths"]) == set(OPERATIONS)
    assert description()["x-kiosk-newer-than-description"] == NEWER


def test_a_conforming_exchange_has_no_problems() -> None:
    params = {"payment_intent": "pi_1", "process_config": {"skip_tipping": "true"}}
    assert check_request("POST", PROCESS, params) == []
    assert check_response("POST", PROCESS, 200, READER) == []


def test_requests_outside_the_description_are_named() -> None:
    assert check_request("PATCH", "/v1/payment_intents", {}) != []
    assert check_request("POST", "/v1/charges", {}) != []
    assert check_request("POST", PROCESS, {"payment_intent": "pi_1", "colour": "red"}) == [
        "POST /v1/terminal/readers/{reader}/process_payment_intent: colour: not a parameter"
        " of this operation"
    ]
    assert check_request("POST", "/v1/payment_intents", {"amount": "12.5", "currency": "gbp"})
    assert check_request("POST", PROCESS, {"payment_intent": "pi_1", "process_config": "x"})
    assert check_request(
        "POST", "/v1/payment_intents/pi_1/cancel", {"cancellation_reason": "bored"}
    )
    assert check_request("GET", "/v1/terminal/readers", {"status": "asleep"})


def test_only_the_named_newer_parameter_is_allowed() -> None:
    newer = {"payment_intent": "pi_1", "process_config": {"enable_customer_cancellation": "true"}}
    assert check_request("POST", PROCESS, newer) == []
    other = {"payment_intent": "pi_1", "process_config": {"enable_magic": "true"}}
    assert check_request("POST", PROCESS, other) != []


def test_answers_that_drift_are_named() -> None:
    wrong_type = {**READER, "livemode": "false"}
    assert check_response("POST", PROCESS, 200, wrong_type) == [
        "POST /v1/terminal/readers/{reader}/process_payment_intent -> 200: livemode: expected"
        " boolean, got str 'false'"
    ]
    extra = {**READER, "battery": 80}
    assert check_response("POST", PROCESS, 200, extra) != []
    missing = {k: v for k, v in READER.items() if k != "serial_number"}
    assert check_response("POST", PROCESS, 200, missing) != []
    nested = copy.deepcopy(READER)
    nested["action"]["status"] = "waiting"
    assert check_response("POST", PROCESS, 200, nested) != []
    null = {**READER, "label": None}
    assert check_response("POST", PROCESS, 200, null) != []


def test_device_types_newer_than_the_description_are_the_only_extra_enum_values() -> None:
    assert check_response("POST", PROCESS, 200, {**READER, "device_type": "stripe_s710"}) == []
    assert check_response("POST", PROCESS, 200, {**READER, "device_type": "stripe_s999"}) != []


def test_errors_are_checked_against_stripes_error_object() -> None:
    good = {"error": {"type": "invalid_request_error", "message": "x", "code": "resource_missing"}}
    assert check_response("GET", "/v1/payment_intents/pi_1", 404, good) == []
    assert check_response("GET", "/v1/payment_intents/pi_1", 404, {"error": {"kind": "x"}})
    assert check_response("GET", "/v1/payment_intents/pi_1", 404, {"message": "x"})


def test_operations_resolve_concrete_paths() -> None:
    found = operation("post", "/v1/test_helpers/terminal/readers/tmr_9/present_payment_method")
    assert found is not None
    assert found[0].endswith("/present_payment_method")
    assert operation("get", "/v1/payment_intents/pi_1/capture") is None
