"""Universal Offline POS: the counter appliance's library (UI, agent, store, sync)."""

__version__ = "0.1.0"
