"""The WooCommerce REST v3 connector."""
