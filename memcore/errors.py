"""memcore's errors: every failure a host sees is one of these, under `MemcoreError`."""

from memcore.domain.shared.errors import (
    AlreadyExists,
    CommitOutcomeUnknown,
    ConcurrencyError,
    ConnectionLost,
    InvalidInput,
    MemcoreError,
    NotFound,
    StorageTimeout,
    StorageUnavailable,
    TransactionConflict,
)

__all__ = [
    "AlreadyExists",
    "CommitOutcomeUnknown",
    "ConcurrencyError",
    "ConnectionLost",
    "InvalidInput",
    "MemcoreError",
    "NotFound",
    "StorageTimeout",
    "StorageUnavailable",
    "TransactionConflict",
]
