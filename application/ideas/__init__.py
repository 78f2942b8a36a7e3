"""Use cases of the ideas context."""
