"""Optional adapters of memcore for agent frameworks; each imports its framework only when imported."""
