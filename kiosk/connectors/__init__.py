"""Connectors to the remote stores (WooCommerce, Shopify): clients, mapping, sync glue."""
