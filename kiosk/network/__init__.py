"""The device's network: the link as the app sees it, and WiFi to cellular failover (NetworkManager
behind both, in nm*.py)."""
