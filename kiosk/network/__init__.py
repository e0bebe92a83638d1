"""The device's network link as the app sees it: a read-only Protocol, NetworkManager behind it."""
