"""Drop-in APIs of the stores memcore replaces: code written for them changes only its import line.

| module | replaces |
| --- | --- |
| `memcore.compat.conflict_store` | the conflict store (`SQLAlchemyConflictStore`) |
| `memcore.compat.ltm` | the long-term memory backend and its catalog |
| `memcore.compat.ideas` | the idea store's session factory and repository |
| `memcore.compat.chat` | the chat database layer's module API |
| `memcore.compat.checkpoints` | the async pipeline checkpointer |
| `memcore.compat.database` | the raw-SQL `Database` / `AsyncDatabase` |
| `memcore.compat.conversation_memory` | agent conversation memory (`SQLConversationMemory`, sync and async) |
| `memcore.compat.metrics` | metric storage (`SQLMetricStorage`, sync and async) |
"""
