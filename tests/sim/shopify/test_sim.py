"""The Shopify simulator answers as the Admin GraphQL API does, over the real schema."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from kiosk.sim.shopify import SimHandle, running_sim
from tests.connectors.shopify.schema_check import shape_problems

PAGE = """
query Page($first: Int!, $after: String, $query: String) {
  products(first: $first, after: $after, query: $query) {
    nodes { id updatedAt variants(first: 5) { nodes { id price } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.fixture
async def sim() -> AsyncIterator[SimHandle]:
    async with running_sim(products=12, restore_rate=1e6, bucket_size=1e6) as s:
        yield s


async def _post(sim: SimHandle, body: Any, token: str | None = None) -> tuple[int, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            sim.graphql_url,
            json=body,
            headers={"X-Shopify-Access-Token": sim.token if token is None else token},
        ) as resp,
    ):
        return resp.status, await resp.json()


async def test_a_wrong_token_gets_shopifys_401(sim: SimHandle) -> None:
    status, body = await _post(sim, {"query": "{ shop { name } }"}, token="shpat_nope")
    assert status == 401
    assert body == {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


async def test_documents_the_schema_refuses_are_refused(sim: SimHandle) -> None:
    status, body = await _post(sim, {"query": "{ shop { noSuchField } }"})
    assert status == 200
    assert "Cannot query field 'noSuchField'" in body["errors"][0]["message"]
    assert "data" not in body


async def test_answers_carry_their_cost_and_the_bucket(sim: SimHandle) -> None:
    status, body = await _post(sim, {"query": PAGE, "variables": {"first": 3}})
    assert status == 200
    cost = body["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2 + 3 * (1 + 2 + 5 * 1)
    assert 0 < cost["actualQueryCost"] <= cost["requestedQueryCost"]
    assert set(cost["throttleStatus"]) == {"maximumAvailable", "currentlyAvailable", "restoreRate"}
    assert shape_problems(PAGE, {"first": 3}, body["data"]) == []


async def test_a_query_over_the_single_query_limit_is_refused(sim: SimHandle) -> None:
    status, body = await _post(sim, {"query": PAGE, "variables": {"first": 250}})
    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"


async def test_an_empty_bucket_throttles_with_shopifys_shape(sim: SimHandle) -> None:
    sim.bucket.restore_rate = 0.0
    sim.bucket.drain()
    _, body = await _post(sim, {"query": "{ shop { name } }"})
    assert body["errors"][0]["message"] == "Throttled"
    assert body["errors"][0]["extensions"]["code"] == "THROTTLED"
    assert body["extensions"]["cost"]["actualQueryCost"] is None
    assert body["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 0


async def test_cursors_page_through_and_updated_at_filters(sim: SimHandle) -> None:
    ids: list[str] = []
    after = None
    while True:
        _, body = await _post(sim, {"query": PAGE, "variables": {"first": 5, "after": after}})
        page = body["data"]["products"]
        ids += [p["id"] for p in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert ids == sorted(sim.state.products, key=lambda g: int(g.rsplit("/", 1)[1]))
    variant = next(iter(sim.state.variants))
    sim.state.set_price(variant, "1.00")
    newest = sim.state.variants[variant]["updatedAt"]
    query = f"updated_at:>='{newest}'"
    _, body = await _post(sim, {"query": PAGE, "variables": {"first": 5, "query": query}})
    assert [p["id"] for p in body["data"]["products"]["nodes"]] == [
        sim.state.variants[variant]["_product"]
    ]
    _, body = await _post(sim, {"query": PAGE, "variables": {"first": 5, "query": "vendor:x"}})
    assert "unsupported search term" in body["errors"][0]["message"]


async def test_a_bulk_operation_completes_with_a_jsonl_file(sim: SimHandle) -> None:
    inner = "{ products { edges { node { id variants { edges { node { id sku } } } } } } }"
    run = (
        "mutation Run($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) "
        "{ bulkOperation { id status } userErrors { field message } } }"
    )
    _, body = await _post(sim, {"query": run, "variables": {"q": inner}})
    op = body["data"]["bulkOperationRunQuery"]["bulkOperation"]
    assert op["status"] == "RUNNING"
    _, again = await _post(sim, {"query": run, "variables": {"q": inner}})
    assert (
        "already in progress" in again["data"]["bulkOperationRunQuery"]["userErrors"][0]["message"]
    )
    status = "query($id: ID!) { bulkOperation(id: $id) { status url objectCount } }"
    states = []
    for _ in range(2):
        _, read = await _post(sim, {"query": status, "variables": {"id": op["id"]}})
        states.append(read["data"]["bulkOperation"]["status"])
    assert states == ["RUNNING", "COMPLETED"]
    async with (
        aiohttp.ClientSession() as session,
        session.get(read["data"]["bulkOperation"]["url"]) as resp,
    ):
        lines = [json.loads(line) for line in (await resp.text()).splitlines()]
    assert len(lines) == int(read["data"]["bulkOperation"]["objectCount"])
    roots = [x for x in lines if "__parentId" not in x]
    assert len(roots) == len(sim.state.products)
    parent = None
    for line in lines:  # each variant line follows its own product's
        if "__parentId" not in line:
            parent = line["id"]
        else:
            assert line["__parentId"] == parent
            assert line["id"] in sim.state.products[parent]["_variants"]


async def test_the_levers_over_http(sim: SimHandle) -> None:
    variant = next(iter(sim.state.variants))
    async with aiohttp.ClientSession() as session:
        async with session.post(
            f"{sim.url}/__sim/admin/price", json={"id": variant, "price": "3.21"}
        ) as resp:
            assert resp.status == 200
        async with session.post(f"{sim.url}/__sim/faults", json={"kind": "500"}) as resp:
            assert resp.status == 200
    assert sim.state.variants[variant]["price"] == "3.21"
    status, _ = await _post(sim, {"query": "{ shop { name } }"})
    assert status == 500


async def test_kiosk_sim_shopify_prints_where_and_how_to_sign_in() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "kiosk",
        "sim",
        "shopify",
        "--products",
        "3",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = json.loads(await asyncio.wait_for(proc.stdout.readline(), 60))
        assert set(line) == {"url", "shop", "token", "app_secret"}
        assert line["url"].startswith("http://127.0.0.1:")
    finally:
        proc.terminate()
        await proc.wait()
