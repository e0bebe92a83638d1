"""Devices at the counter: receipt printer and cash drawer (scanner to follow), behind Protocols."""
