"""Metrics: timestamped values of named, tagged series."""
