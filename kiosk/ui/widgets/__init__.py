"""Reusable widgets of the counter app."""
