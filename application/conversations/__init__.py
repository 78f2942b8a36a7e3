"""Use cases of the conversations context."""
