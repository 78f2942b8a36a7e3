"""Readers of the raw databases memcore replaces, for one-way imports."""
