"""Keeping the device and the store in step: pull the catalog, push the sales, adopt the stock."""
