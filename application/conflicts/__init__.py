"""Use cases of the conflicts context."""
