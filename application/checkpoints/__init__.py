"""Use cases of the checkpoints context."""
