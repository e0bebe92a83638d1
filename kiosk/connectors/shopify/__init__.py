"""The Shopify Admin GraphQL API connector."""

PLATFORM = "shopify"  # the platform's name in kiosk.toml, URLs and the platform registry
API_VERSION = "2026-10"  # the pinned Admin API version every request names
