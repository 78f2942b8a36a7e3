"""Use cases of the memory context: long-term key/value memory and the blob catalog."""
