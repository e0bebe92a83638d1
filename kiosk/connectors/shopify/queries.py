"""The GraphQL documents the Shopify connector sends (Admin API 2026-10), and their page sizes.

Every document here is validated against Shopify's own schema in the tests
(tests/connectors/shopify/test_queries_schema.py), so a field renamed or deprecated away in the
pinned version fails there, not in a shop.

Page sizes follow the cost rules (shopify.dev "GraphQL Admin API rate limits"): an object costs
1, a connection 2 plus `first` times its node's cost, and one query may cost at most 1,000
points. A product page with its variants and their stock at the location costs about
2 + PRODUCT_PAGE * (4 + VARIANT_PAGE * 5 + COLLECTION_PAGE), so PRODUCT_PAGE stays small (the
flat listings - collections, customers, ids - use Shopify's maximum of 250); a product with more
variants than VARIANT_PAGE has the rest fetched by VARIANTS_MORE. Large shops are copied with a
bulk operation instead (BULK_PRODUCTS, JSONL without paging or per-query cost).
"""

from __future__ import annotations

import json

PRODUCT_PAGE = 14
VARIANT_PAGE = 10
VARIANT_MORE_PAGE = 100
COLLECTION_PAGE = 10
FLAT_PAGE = 250
CUSTOMER_PAGE = 100
NODES_PAGE = 10  # products fetched by id per request (each one costs as a product page row)
STOCK_PAGE = 50
LEVEL_PAGE = 200  # inventory levels, each with its item, variant and product: 4 points a level

# A variant's fields; `$location` picks the inventory level whose `available` the device adopts.
_VARIANT = """
  id title sku barcode price compareAtPrice taxable position inventoryPolicy updatedAt
  selectedOptions { name value }
  inventoryItem {
    id tracked
    inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } }
  }
"""

_PRODUCT = f"""
  id title handle status updatedAt hasOnlyDefaultVariant
  options {{ name values }}
  featuredMedia {{ preview {{ image {{ url }} }} }}
  collections(first: {COLLECTION_PAGE}) {{ nodes {{ id }} }}
  variants(first: {VARIANT_PAGE}) {{
    nodes {{ {_VARIANT} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
"""

PRODUCTS = f"""
query KioskProducts($first: Int!, $after: String, $query: String, $location: ID!) {{
  products(first: $first, after: $after, query: $query, sortKey: ID) {{
    nodes {{ {_PRODUCT} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

VARIANTS_MORE = f"""
query KioskVariants($id: ID!, $after: String, $location: ID!) {{
  product(id: $id) {{
    variants(first: {VARIANT_MORE_PAGE}, after: $after) {{
      nodes {{ {_VARIANT} }}
      pageInfo {{ hasNextPage endCursor }}
    }}
  }}
}}
"""

PRODUCTS_BY_ID = f"""
query KioskProductsById($ids: [ID!]!, $location: ID!) {{
  nodes(ids: $ids) {{ ... on Product {{ {_PRODUCT} }} }}
}}
"""

PRODUCTS_COUNT = """
query KioskProductsCount { productsCount(limit: null) { count precision } }
"""

PRODUCT_IDS = """
query KioskProductIds($first: Int!, $after: String) {
  products(first: $first, after: $after, sortKey: ID) {
    nodes { id status }
    pageInfo { hasNextPage endCursor }
  }
}
"""

# Stock that changed since a moment: levels at the location, each naming its product.
STOCK_CHANGED = """
query KioskStockChanged($location: ID!, $first: Int!, $after: String, $query: String) {
  location(id: $location) {
    inventoryLevels(first: $first, after: $after, query: $query) {
      nodes { item { variant { id product { id } } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
"""

STOCK = """
query KioskStock($ids: [ID!]!, $location: ID!) {
  nodes(ids: $ids) {
    ... on ProductVariant { id inventoryPolicy inventoryItem { ...Level } }
    ... on Product {
      id
      variants(first: 1) { nodes { id inventoryPolicy inventoryItem { ...Level } } }
    }
  }
}
fragment Level on InventoryItem {
  tracked
  inventoryLevel(locationId: $location) { quantities(names: ["available"]) { name quantity } }
}
"""

COLLECTIONS = """
query KioskCollections($first: Int!, $after: String) {
  collections(first: $first, after: $after, sortKey: ID) {
    nodes { id title handle }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CUSTOMERS = """
query KioskCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: ID) {
    nodes {
      id firstName lastName updatedAt
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SHOP = """
query KioskShop {
  shop {
    name currencyCode taxesIncluded taxShipping myshopifyDomain
    shopAddress { countryCodeV2 provinceCode zip city }
  }
}
"""

CHECK = """
query KioskCheck($location: ID) {
  shop { name currencyCode myshopifyDomain }
  currentAppInstallation { accessScopes { handle } }
  location(id: $location) { id name isActive }
}
"""

BULK_RUN = """
mutation KioskBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query, groupObjects: false) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

BULK_STATUS = """
query KioskBulkStatus($id: ID!) {
  bulkOperation(id: $id) { id status errorCode objectCount rootObjectCount url }
}
"""

BULK_CURRENT = """
query KioskBulkCurrent { currentBulkOperation { id status errorCode url query } }
"""


def bulk_products(location: str) -> str:
    """The bulk operation's own query: every product, its variants and collections.

    Bulk queries take no variables, so the location is written into the document; connections
    take no `first` (the operation pages by itself) and nest at most two deep.
    """
    variant = _VARIANT.replace("$location", json.dumps(location))
    return f"""
{{
  products(sortKey: ID) {{
    edges {{ node {{
      id title handle status updatedAt hasOnlyDefaultVariant
      options {{ name values }}
      featuredMedia {{ preview {{ image {{ url }} }} }}
      collections {{ edges {{ node {{ id }} }} }}
      variants {{ edges {{ node {{ {variant} }} }} }}
    }} }}
  }}
}}
"""


ALL_DOCUMENTS = {
    "PRODUCTS": PRODUCTS,
    "VARIANTS_MORE": VARIANTS_MORE,
    "PRODUCTS_BY_ID": PRODUCTS_BY_ID,
    "PRODUCTS_COUNT": PRODUCTS_COUNT,
    "PRODUCT_IDS": PRODUCT_IDS,
    "STOCK_CHANGED": STOCK_CHANGED,
    "STOCK": STOCK,
    "COLLECTIONS": COLLECTIONS,
    "CUSTOMERS": CUSTOMERS,
    "SHOP": SHOP,
    "CHECK": CHECK,
    "BULK_RUN": BULK_RUN,
    "BULK_STATUS": BULK_STATUS,
    "BULK_CURRENT": BULK_CURRENT,
}
