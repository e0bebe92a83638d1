"""The agent: the background process that keeps the device and the store in step."""
