"""Adapters of the transfer use cases: memcore's tables on a SQL database, and the archive format."""
