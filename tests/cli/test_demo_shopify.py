"""`kiosk demo --text --platform shopify`: the demo on the Shopify simulator, end to end."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_provision import kiosk


async def test_the_text_demo_syncs_sells_and_uploads_to_the_shopify_simulator(
    tmp_path: Path,
) -> None:
    code, out, err = await kiosk(tmp_path, "demo", "--text", "--platform", "shopify")
    assert code == 0, err
    assert "Demo shopify store at http://127.0.0.1:" in out
    assert "products and" in out
    assert "A sample sale, paid in cash:" in out
    assert "The store's copy: uploaded (gid://shopify/Order/1)" in out
