"""The local store: SQLite through aiosqlite, the durable heart of the appliance.

db (the connection and its transactions), migrate (schema versions), catalog, orders, outbox
(upload states), sync_state (sync bookkeeping), rows (row <-> model conversion).
"""
