"""Building blocks shared by every bounded context: errors, events, specifications."""
