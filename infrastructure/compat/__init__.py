"""Drop-in APIs of the stores memcore replaces; they run through memcore's use cases."""
