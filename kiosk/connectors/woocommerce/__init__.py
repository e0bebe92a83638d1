"""The WooCommerce REST v3 connector."""

PLATFORM = "woocommerce"  # the platform's name in kiosk.toml, URLs and the platform registry
