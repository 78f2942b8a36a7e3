"""The conflicts context: contradictions between two memories of a user."""
