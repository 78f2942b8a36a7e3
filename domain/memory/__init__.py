"""The memory context: an agent's long-term key/value memory, and a catalog of stored blobs."""
