"""Move a store between databases: `export_store`, `import_store`, `copy_store`, `verify_stores`."""

from memcore.infrastructure.transfer.api import copy_store, export_store, import_store, verify_stores

__all__ = ["copy_store", "export_store", "import_store", "verify_stores"]
