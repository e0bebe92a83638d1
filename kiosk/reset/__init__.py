"""Factory reset: what has not reached the store is exported first, then the device is wiped."""
