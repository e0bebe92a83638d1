"""The counter app's UI-free parts: the sale session and what the status bar shows."""
