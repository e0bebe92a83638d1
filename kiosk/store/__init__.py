"""The local store: SQLite through aiosqlite, the durable heart of the appliance.

db (the connection and its transactions), migrate (schema versions), catalog, search (catalog
text search), orders, outbox (upload states), sync_state (sync bookkeeping), and row <-> model
conversion: rows (times, JSON columns), rows_catalog, rows_orders.
"""
