"""The merchant's actions, in Python and over /__sim/, change the store as the real one would."""

from __future__ import annotations

from tests.sim.woocommerce.conftest import Clock, Woo


async def test_python_admin_actions_bump_dates(woo: Woo, clock: Clock) -> None:
    clock.advance(300)
    stamp = clock.now.strftime("%Y-%m-%dT%H:%M:%S")
    woo.sim.admin.set_price(102, "1.25")
    woo.sim.admin.set_stock(103, 0)
    _, p102, _ = await woo.get("products/102")
    _, p103, _ = await woo.get("products/103")
    assert (p102["price"], p102["regular_price"], p102["date_modified_gmt"]) == (
        "1.25",
        "1.25",
        stamp,
    )
    assert (p103["stock_quantity"], p103["stock_status"]) == (0, "outofstock")
    order = woo.sim.admin.place_online_order([{"product_id": 101, "quantity": 2}])
    assert order["status"] == "processing"
    assert order["created_via"] == "checkout"
    assert woo.sim.state.products[101]["stock_quantity"] == 8
    woo.sim.admin.delete_product(102, force=True)
    assert (await woo.get("products/102"))[0] == 404


async def test_http_admin_routes(woo: Woo) -> None:
    base = f"{woo.sim.url}/__sim"
    s = woo.session
    async with s.post(
        f"{base}/products/101", json={"regular_price": "9.99", "stock_quantity": 4}
    ) as r:
        assert r.status == 200
        assert (await r.json())["price"] == "9.99"
    assert woo.sim.state.products[101]["stock_quantity"] == 4
    async with s.post(f"{base}/products/101", json={"colour": "red"}) as r:
        assert r.status == 400
        assert "colour" in (await r.json())["error"]
    async with s.post(
        f"{base}/orders", json={"line_items": [{"product_id": 101, "quantity": 1}]}
    ) as r:
        assert r.status == 201
    assert woo.sim.state.products[101]["stock_quantity"] == 3
    async with s.delete(f"{base}/products/105") as r:
        assert r.status == 200
    assert woo.sim.state.products[105]["status"] == "trash"
    async with s.post(
        f"{base}/faults", json={"kind": "503", "path": "products", "retry_after": 3}
    ) as r:
        assert r.status == 201
    async with s.get(woo.url("GET", "products")) as r:
        assert r.status == 503
        assert r.headers["Retry-After"] == "3"
    async with s.get(f"{base}/requests") as r:
        log = await r.json()
    assert [
        (e["method"], e["path"], e["status"]) for e in log if e["path"].endswith("/products")
    ] == [("GET", "/wp-json/wc/v3/products", 503)]
    assert woo.sim.requests[-1].path == "/__sim/requests"


async def test_admin_changes_notify_like_the_store(woo: Woo) -> None:
    seen: list[tuple[str, str, int]] = []
    woo.sim.state.listeners.append(lambda r, e, i: seen.append((r, e, i)))
    woo.sim.admin.set_price(111, "13.00")
    assert seen == [("product", "updated", 111), ("product", "updated", 110)]
    woo.sim.admin.delete_product(101)
    assert seen[-1] == ("product", "deleted", 101)
