"""Listings, paging, filters and error shapes, as a real WooCommerce 9 store answers them."""

from __future__ import annotations

import aiohttp

from kiosk.sim.woocommerce import SimHandle, running_sim
from tests.sim.woocommerce.conftest import Clock, Woo


async def test_paging_headers_and_links(woo: Woo) -> None:
    status, body, headers = await woo.get("products?per_page=2&page=2&orderby=id&order=asc")
    assert status == 200
    assert [p["id"] for p in body] == [103, 104]
    assert headers["X-WP-Total"] == "6"  # drafts and private products are listed by default
    assert headers["X-WP-TotalPages"] == "3"
    link = headers["Link"]
    assert 'rel="prev"' in link
    assert 'rel="next"' in link
    assert "page=1>" in link.split(",")[0]
    assert "page=3>" in link.split(",")[1]


async def test_page_past_the_end_is_an_empty_200(woo: Woo) -> None:
    status, body, headers = await woo.get("products?per_page=100&page=5")
    assert (status, body) == (200, [])
    assert headers["X-WP-Total"] == "6"
    assert 'rel="next"' not in headers.get("Link", "")


async def test_per_page_out_of_range_is_rest_invalid_param(woo: Woo) -> None:
    message = "per_page must be between 1 (inclusive) and 100 (inclusive)"
    for bad in ("101", "0"):
        status, body, _ = await woo.get(f"products?per_page={bad}")
        assert status == 400
        assert body == {
            "code": "rest_invalid_param",
            "message": "Invalid parameter(s): per_page",
            "data": {
                "status": 400,
                "params": {"per_page": message},
                "details": {
                    "per_page": {"code": "rest_out_of_bounds", "message": message, "data": None}
                },
            },
        }
    status, body, _ = await woo.get("products?per_page=ten")
    assert status == 400
    assert body["data"]["params"] == {"per_page": "per_page is not of type integer."}


async def test_fields_keeps_only_the_named_top_level_fields(woo: Woo) -> None:
    _, body, _ = await woo.get("products?_fields=id,date_modified_gmt&per_page=100")
    assert len(body) == 6
    assert all(set(p) == {"id", "date_modified_gmt"} for p in body)


async def test_status_filter_and_default_any(woo: Woo) -> None:
    _, published, _ = await woo.get("products?status=publish&per_page=100")
    _, drafts, _ = await woo.get("products?status=draft")
    assert 104 not in {p["id"] for p in published}
    assert [p["id"] for p in drafts] == [104]
    woo.sim.admin.delete_product(101)
    _, listed, headers = await woo.get("products?per_page=100")
    assert 101 not in {p["id"] for p in listed}
    assert headers["X-WP-Total"] == "5"
    status, trashed, _ = await woo.get("products/101")  # a trashed product can still be read
    assert status == 200
    assert trashed["status"] == "trash"


async def test_sku_type_and_include_filters(woo: Woo) -> None:
    _, by_sku, _ = await woo.get("products?sku=SKU-102,SKU-103")
    assert sorted(p["id"] for p in by_sku) == [102, 103]
    _, variable, _ = await woo.get("products?type=variable")
    assert [p["id"] for p in variable] == [110]
    _, included, _ = await woo.get("products?include=105,101&orderby=include")
    assert [p["id"] for p in included] == [105, 101]


async def test_modified_after_sees_changes_and_variation_bumps_parent(
    woo: Woo, clock: Clock
) -> None:
    clock.advance(3600)
    cutoff = clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    _, none, _ = await woo.get(f"products?modified_after={cutoff}&dates_are_gmt=true")
    assert none == []
    clock.advance(60)
    woo.sim.admin.set_price(112, "15.00")
    _, changed, _ = await woo.get(f"products?modified_after={cutoff}&dates_are_gmt=true")
    assert [p["id"] for p in changed] == [110]
    assert changed[0]["date_modified_gmt"] == clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    _, variations, _ = await woo.get(
        f"products/110/variations?modified_after={cutoff}&dates_are_gmt=true"
    )
    assert [(v["id"], v["price"]) for v in variations] == [(112, "15.00")]


async def test_site_time_differs_from_gmt_in_summer(woo: Woo) -> None:
    # The shop is in London: 10:00 GMT on 1 June is 11:00 site time (BST).
    _, body, _ = await woo.get("products/101")
    assert (body["date_modified_gmt"], body["date_modified"]) == (
        "2024-06-01T10:00:00",
        "2024-06-01T11:00:00",
    )
    _, hits, _ = await woo.get("products?modified_after=2024-06-01T10:30:00&per_page=100")
    assert hits != []  # compared with site time: 11:00 is after 10:30
    _, gmt_hits, _ = await woo.get("products?modified_after=2024-06-01T10:30:00&dates_are_gmt=true")
    assert gmt_hits == []


async def test_variations_collection_and_single(woo: Woo) -> None:
    status, body, headers = await woo.get("products/110/variations?per_page=1")
    assert status == 200
    assert headers["X-WP-Total"] == "2"
    assert len(body) == 1
    status, one, _ = await woo.get("products/110/variations/111")
    assert status == 200
    assert one["parent_id"] == 110
    assert one["manage_stock"] == "parent"


async def test_not_found_shapes(woo: Woo) -> None:
    status, body, _ = await woo.get("products/999")
    assert status == 404
    assert body == {
        "code": "woocommerce_rest_product_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 404},
    }
    status, body, _ = await woo.get("orders/999")
    assert (status, body["code"]) == (404, "woocommerce_rest_shop_order_invalid_id")
    status, body, _ = await woo.get("nothing/here")
    assert (status, body["code"]) == (404, "rest_no_route")


async def test_wordpress_index_and_a_non_wordpress_path(sim: SimHandle) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{sim.url}/wp-json") as resp:
            assert resp.status == 200
            assert "wc/v3" in (await resp.json())["namespaces"]
        async with session.get(f"{sim.url}/") as resp:
            assert resp.status == 404
            assert resp.content_type == "text/html"


async def test_settings_taxes_and_classes(woo: Woo) -> None:
    _, general, _ = await woo.get("settings/general")
    values = {s["id"]: s["value"] for s in general}
    assert values["woocommerce_currency"] == "GBP"
    assert "woocommerce_prices_include_tax" not in values
    _, tax, _ = await woo.get("settings/tax")
    assert {s["id"]: s["value"] for s in tax}["woocommerce_prices_include_tax"] == "yes"
    assert all({"id", "label", "value"} <= set(s) for s in general + tax)
    _, rates, headers = await woo.get("taxes?per_page=1")
    assert headers["X-WP-Total"] == "2"
    assert rates[0]["rate"] == "20.0000"
    _, classes, _ = await woo.get("taxes/classes")
    assert [c["slug"] for c in classes] == ["standard", "reduced-rate", "zero-rate"]


async def test_generated_catalog_customers_paging() -> None:
    async with running_sim(products=12, seed=3) as sim, aiohttp.ClientSession() as session:
        woo = Woo(sim, session)
        _, customers, headers = await woo.get("customers?per_page=7")
        assert headers["X-WP-Total"] == "20"
        assert len(customers) == 7
        _, _products, headers = await woo.get("products?per_page=100")
        assert headers["X-WP-Total"] == str(len(sim.state.products)) == "12"
