"""Drop-in APIs of the stores memcore replaces: code written for them changes only its import line.

| module | replaces |
| --- | --- |
| `memcore.compat.conflict_store` | casual-memory's `SQLAlchemyConflictStore` and `InMemoryConflictStore` |
| `memcore.compat.ltm` | the_edge_agent's long-term memory backend, its catalog and their registries |
| `memcore.compat.ideas` | PrismQ's `IdeaInspiration`, `ContentType`, session factory and repository |
| `memcore.compat.chat` | maveric-minipilot's chat database layer (`database.db_config`, `.models`, `.repository`) |
| `memcore.compat.checkpoints` | the async pipeline checkpointer |
| `memcore.compat.database` | the raw-SQL `Database` / `AsyncDatabase` |
| `memcore.compat.conversation_memory` | agent conversation memory (`SQLConversationMemory`, sync and async) |
| `memcore.compat.metrics` | metric storage (`SQLMetricStorage`, sync and async) |
| `memcore.compat.nexusql` | nexusql's `DatabaseManager`, `ConnectionConfig`, `DatabaseType`, `QueryResult` |
| `memcore.compat.ia_checkpoint` | ia_modules' `SQLCheckpointer` over nexusql |
| `memcore.compat.ia_memory` | ia_modules' `SQLConversationMemory` and `Message` over nexusql |
| `memcore.compat.ia_metrics` | ia_modules' `SQLMetricStorage` (its `reliability_*` tables) over nexusql |

docs/compat.md sets each one beside the store it replaces: what is the same, what memcore adds,
and what differs and why.
"""
