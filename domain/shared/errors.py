"""Domain errors: the only exceptions memcore lets out of its adapters."""


class MemcoreError(Exception):
    """Base of every error memcore raises on purpose."""


class NotFound(MemcoreError):
    """The requested aggregate does not exist."""


class AlreadyExists(MemcoreError):
    """An aggregate with the same identity is already stored."""


class InvalidInput(MemcoreError):
    """The input breaks a rule of the domain or cannot be stored; nothing was written."""


class ConcurrencyError(MemcoreError):
    """Another writer changed the data first (stale version)."""


class TransactionConflict(ConcurrencyError):
    """The database aborted the transaction (serialization failure, deadlock); retrying may succeed."""


class StorageUnavailable(MemcoreError):
    """The database cannot be reached or refused the operation."""


class StorageTimeout(MemcoreError):
    """The database did not answer in time (statement or lock timeout)."""


class ConnectionLost(StorageUnavailable):
    """The connection broke before the transaction committed: nothing of it was written, so the
    whole unit of work may be run again (the bus does, once)."""


class CommitOutcomeUnknown(StorageUnavailable):
    """The connection broke while the database was committing: the write may or may not be stored.
    Never retried silently; read the data back before writing it again."""
