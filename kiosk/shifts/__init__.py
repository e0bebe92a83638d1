"""Shifts and cash: the float, cash in and out, the count at the close, X and Z reports."""
