"""Hostile values through the drop-ins not covered by test_hostile_input's table run: the chat
module API, the ideas repository, the conflict store, the async checkpointer (used as it is) and
the long-term memory catalog. Each function feeds every value of hostile.HOSTILE into each slot.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import memcore
from tests.reliability.hostile import HOSTILE, Tally, same


def chat(url: str, tally: Tally) -> None:
    from memcore.compat import chat as db

    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    db.dispose_engine()
    try:
        with db.get_session() as s:
            user = db.create_user(s, email="chat-hostile@example.com", external_id="chat-hostile").id
            conversation = db.create_conversation(s, user_id=user, title="hostile").id

        def on(call: Callable[[Any], Any]) -> Callable[[], Any]:
            def run() -> Any:
                with db.get_session() as s:
                    return call(s)

            return run

        def content_back(value: Any) -> Callable[[Any], str | None]:
            def check(message: Any) -> str | None:
                with db.get_session() as s:
                    stored = db.get_message_by_id(s, message.id)
                    return None if stored is not None and stored.content == value else "content not read back"

            return check

        with memcore.connect(url) as app:
            for name, v in HOSTILE.items():
                calls: dict[str, Callable[[Any], Any]] = {
                    "create_user(email)": lambda s, v=v: db.create_user(s, email=v),
                    "create_user(name)": lambda s, v=v: db.create_user(s, name=v),
                    "create_user(external_id)": lambda s, v=v: db.create_user(s, external_id=v),
                    "get_user_by_id": lambda s, v=v: db.get_user_by_id(s, v),
                    "get_user_by_email": lambda s, v=v: db.get_user_by_email(s, v),
                    "get_user_by_external_id": lambda s, v=v: db.get_user_by_external_id(s, v),
                    "get_or_create_user_by_external_id": lambda s, v=v: db.get_or_create_user_by_external_id(s, v),
                    "list_users(limit)": lambda s, v=v: db.list_users(s, limit=v),
                    "list_users(offset)": lambda s, v=v: db.list_users(s, offset=v),
                    "update_user(name)": lambda s, v=v: db.update_user(s, user, name=v),
                    "delete_user": lambda s, v=v: db.delete_user(s, v),
                    "create_conversation(title)": lambda s, v=v: db.create_conversation(s, title=v),
                    "create_conversation(status)": lambda s, v=v: db.create_conversation(s, status=v),
                    "create_conversation(user_id)": lambda s, v=v: db.create_conversation(s, user_id=v),
                    "get_conversation_by_id": lambda s, v=v: db.get_conversation_by_id(s, v),
                    "list_conversations_for_user(limit)": lambda s, v=v: db.list_conversations_for_user(
                        s, user, limit=v
                    ),
                    "list_all_conversations(status)": lambda s, v=v: db.list_all_conversations(s, status=v),
                    "list_all_conversations(offset)": lambda s, v=v: db.list_all_conversations(s, offset=v),
                    "update_conversation(title)": lambda s, v=v: db.update_conversation(s, conversation, title=v),
                    "update_conversation(status)": lambda s, v=v: db.update_conversation(s, conversation, status=v),
                    "delete_conversation": lambda s, v=v: db.delete_conversation(s, v),
                    "add_message(sender_type)": lambda s, v=v: db.add_message(s, conversation, v, "c"),
                    "add_message(role_metadata)": lambda s, v=v: db.add_message(s, conversation, "user", "c", v),
                    "add_message(conversation_id)": lambda s, v=v: db.add_message(s, v, "user", "c"),
                    "get_message_by_id": lambda s, v=v: db.get_message_by_id(s, v),
                    "list_messages_for_conversation(limit)": lambda s, v=v: db.list_messages_for_conversation(
                        s, conversation, limit=v
                    ),
                    "list_messages_for_conversation(sender_type)": lambda s, v=v: db.list_messages_for_conversation(
                        s, conversation, sender_type=v
                    ),
                    "get_conversation_message_count": lambda s, v=v: db.get_conversation_message_count(s, v),
                    "delete_message": lambda s, v=v: db.delete_message(s, v),
                    "upsert_knowledge_chunk(source)": lambda s, v=v: db.upsert_knowledge_chunk(s, v, "c", "e"),
                    "upsert_knowledge_chunk(external_id)": lambda s, v=v: db.upsert_knowledge_chunk(s, "s", "c", v),
                    "upsert_knowledge_chunk(title)": lambda s, v=v: db.upsert_knowledge_chunk(s, "s", "c", "t", v),
                    "upsert_knowledge_chunk(chunk_metadata)": lambda s, v=v: db.upsert_knowledge_chunk(
                        s, "s", "c", "m", chunk_metadata=v
                    ),
                    "get_knowledge_chunk_by_id": lambda s, v=v: db.get_knowledge_chunk_by_id(s, v),
                    "get_knowledge_chunk_by_external_id": lambda s, v=v: db.get_knowledge_chunk_by_external_id(s, v),
                    "search_knowledge_chunks_by_source": lambda s, v=v: db.search_knowledge_chunks_by_source(s, v),
                    "list_all_knowledge_chunks(limit)": lambda s, v=v: db.list_all_knowledge_chunks(s, limit=v),
                    "delete_knowledge_chunk": lambda s, v=v: db.delete_knowledge_chunk(s, v),
                }
                for entry, call in calls.items():
                    tally.call(f"chat.{entry}", name, on(call))
                tally.call(
                    "chat.add_message(content)",
                    name,
                    on(lambda s, v=v: db.add_message(s, conversation, "user", v)),
                    content_back(v),
                )
                tally.call(
                    "chat.upsert_knowledge_chunk(content)",
                    name,
                    on(lambda s, v=v, name=name: db.upsert_knowledge_chunk(s, "s", v, f"content-{name}")),
                    lambda chunk, v=v: None if chunk.content == v else "content not read back",
                )
                before = app.knowledge.count()
                ok = {"source": "bulk", "content": "ok"}
                batch = [{**ok, "external_id": f"{name}-1"}, v, {**ok, "external_id": f"{name}-3"}]
                bad_item = {**ok, "external_id": f"{name}-2b", "content": v}
                for entry, items in (("item", batch), ("content", [batch[0], bad_item, batch[2]])):
                    tally.call(
                        f"chat.bulk_upsert_knowledge_chunks (bad {entry} 2nd of 3)",
                        name,
                        on(lambda s, items=items: db.bulk_upsert_knowledge_chunks(s, items)),
                    )
                    moved = app.knowledge.count() - before
                    if moved not in (0, 3):
                        tally.leak(f"chat.bulk_upsert_knowledge_chunks (bad {entry} 2nd of 3)", name, f"{moved} of 3")
                    before = app.knowledge.count()
    finally:
        db.dispose_engine()
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved


def _idea(IdeaInspiration: Any, tag: str, **fields: Any) -> Any:
    base = {"title": f"idea {tag}", "source_id": f"dropin-{tag}", "score": 50, "category": "technology"}
    return IdeaInspiration(**{**base, **fields})


def ideas(url: str, tally: Tally) -> None:
    from memcore.compat.ideas import IdeaInspiration, SessionFactory, SQLAlchemyIdeaInspirationRepository

    factory = SessionFactory(url)
    try:

        def on(call: Callable[[Any], Any]) -> Callable[[], Any]:
            def run() -> Any:
                with factory.session() as uow:
                    return call(SQLAlchemyIdeaInspirationRepository(uow))

            return run

        for name, v in HOSTILE.items():
            for field in ("title", "description", "content", "keywords", "source_type", "metadata", "source_id",
                          "source_url", "score", "category", "source_created_at", "subcategory_relevance"):  # fmt: skip
                tally.call(
                    f"ideas.add({field})",
                    name,
                    on(
                        lambda r, v=v, field=field, name=name: r.add(_idea(IdeaInspiration, name + field, **{field: v}))
                    ),
                )
            for entry, call in {
                "get_by_id": lambda r, v=v: r.get_by_id(v),
                "get_by_source_id": lambda r, v=v: r.get_by_source_id(v),
                "find_all(category)": lambda r, v=v: r.find_all(category=v),
                "find_all(source_type)": lambda r, v=v: r.find_all(source_type=v),
                "find_all(limit)": lambda r, v=v: r.find_all(limit=v),
                "find_all(offset)": lambda r, v=v: r.find_all(offset=v),
                "count(category)": lambda r, v=v: r.count(category=v),
            }.items():
                tally.call(f"ideas.{entry}", name, on(call))
            before = on(lambda r: r.count())()
            tally.call(
                "ideas.add_batch (bad 2nd of 3)",
                name,
                on(lambda r, v=v, name=name: r.add_batch(
                    [_idea(IdeaInspiration, name + "b1"), v, _idea(IdeaInspiration, name + "b3")]
                )),
            )  # fmt: skip
            if on(lambda r: r.count())() - before not in (0, 3):
                tally.leak("ideas.add_batch (bad 2nd of 3)", name, "partial batch")
        tally.call("ideas.SessionFactory(url)", "sql fragment", lambda: SessionFactory(HOSTILE["sql fragment"]))
        tally.call("ideas.SessionFactory(url)", "empty", lambda: SessionFactory(""))
    finally:
        factory.close()


def conflicts(url: str, tally: Tally) -> None:
    from memcore.compat.conflict_store import SQLAlchemyConflictStore
    from memcore.infrastructure.settings import Settings
    from memcore.infrastructure.sqlalchemy.engine import build_engine

    engine = build_engine(Settings(url=url))
    store = SQLAlchemyConflictStore(engine)
    good = {"user_id": "cs-u", "memory_a_id": "a", "memory_b_id": "b", "category": "preferences",
            "similarity_score": 0.9, "avg_importance": 0.5}  # fmt: skip
    resolution = {"decision": "keep_a", "resolution_type": "manual", "resolved_by": "me"}
    try:
        target = store.add_conflict(SimpleNamespace(**good))
        for name, v in HOSTILE.items():
            for field in (*good, "status", "clarification_hint", "metadata", "created_at", "id"):
                tally.call(
                    f"conflict_store.add_conflict({field})",
                    name,
                    lambda v=v, field=field: store.add_conflict(SimpleNamespace(**{**good, field: v})),
                )
            for field in (*resolution, "notes"):
                tally.call(
                    f"conflict_store.resolve_conflict({field})",
                    name,
                    lambda v=v, field=field: store.resolve_conflict(
                        store.add_conflict(SimpleNamespace(**good)), SimpleNamespace(**{**resolution, field: v})
                    ),
                )
            for entry, call in {
                "add_conflict(object)": lambda v=v: store.add_conflict(v),
                "get_conflict": lambda v=v: store.get_conflict(v),
                "get_pending_conflicts(user)": lambda v=v: store.get_pending_conflicts(v),
                "get_pending_conflicts(limit)": lambda v=v: store.get_pending_conflicts("cs-u", limit=v),
                "resolve_conflict(id)": lambda v=v: store.resolve_conflict(v, SimpleNamespace(**resolution)),
                "resolve_conflict(resolution)": lambda v=v: store.resolve_conflict(target, v),
                "get_conflict_count(status)": lambda v=v: store.get_conflict_count("cs-u", v),
                "escalate_conflict": lambda v=v: store.escalate_conflict(v),
                "clear_user_conflicts(user)": lambda v=v: store.clear_user_conflicts(v),
                "clear_user_conflicts(status)": lambda v=v: store.clear_user_conflicts("cs-other", v),
            }.items():
                tally.call(f"conflict_store.{entry}", name, call)
    finally:
        engine.dispose()


def checkpoints(url: str, tally: Tally) -> None:
    """SQLCheckpointer is used as it is (issue 16 changes it): leaks there are reported, not fixed."""
    from memcore.compat.checkpoints import SQLCheckpointer
    from memcore.compat.database import AsyncDatabase

    loop = asyncio.new_event_loop()
    db = AsyncDatabase(url)
    saver = SQLCheckpointer(db)
    try:
        run = loop.run_until_complete
        run(saver.setup())
        thread = f"dropin-{uuid.uuid4()}"
        for name, v in HOSTILE.items():
            for entry, call in {
                "save_checkpoint(thread_id)": lambda v=v: saver.save_checkpoint(v, "p", {}),
                "save_checkpoint(pipeline_id)": lambda v=v: saver.save_checkpoint(thread, v, {}),
                "save_checkpoint(state)": lambda v=v: saver.save_checkpoint(thread, "p", v),
                "save_checkpoint(metadata)": lambda v=v: saver.save_checkpoint(thread, "p", {}, v),
                "save_checkpoint(parent_id)": lambda v=v: saver.save_checkpoint(thread, "p", {}, None, v),
                "load_checkpoint(thread_id)": lambda v=v: saver.load_checkpoint(v),
                "load_checkpoint(pipeline_id)": lambda v=v: saver.load_checkpoint(thread, v),
                "get_checkpoint": lambda v=v: saver.get_checkpoint(v),
                "list_checkpoints(thread_id)": lambda v=v: saver.list_checkpoints(v),
                "list_checkpoints(limit)": lambda v=v: saver.list_checkpoints(thread, limit=v),
                "list_checkpoints(before)": lambda v=v: saver.list_checkpoints(thread, before=v),
                "delete_thread": lambda v=v: saver.delete_thread(v),
                "prune(keep_last)": lambda v=v: saver.prune(f"prune-{thread}", v),
            }.items():
                tally.call(f"checkpointer.{entry}", name, lambda call=call: run(call()))

            def state_back(checkpoint_id: str, v: Any = v) -> str | None:
                stored = run(saver.get_checkpoint(checkpoint_id))
                return None if stored is not None and same({"s": v}, stored["state"]) else "state not read back"

            tally.call(
                "checkpointer.save_checkpoint(state value)",
                name,
                lambda v=v: run(saver.save_checkpoint(thread, "p", {"s": v})),
                state_back,
            )
    finally:
        loop.run_until_complete(db.close())
        loop.close()


def catalog(url: str, tally: Tally) -> None:
    from memcore.compat.ltm import SQLAlchemyCatalog

    good = {"key": "cat", "content_hash": "h", "storage_uri": None, "byte_size": 1, "metadata": None}
    with SQLAlchemyCatalog(url) as cat:
        for name, v in HOSTILE.items():
            for field in (*good, "inlined_value", "expires_at"):
                tally.call(
                    f"catalog.track_entry({field})",
                    name,
                    lambda v=v, field=field: cat.track_entry(**{**good, "key": f"cat-{field}", field: v}),
                )
            for entry, call in {
                "get_entry": lambda v=v: cat.get_entry(v),
                "list_entries(prefix)": lambda v=v: cat.list_entries(prefix=v),
                "list_entries(metadata_filter)": lambda v=v: cat.list_entries(metadata_filter=v),
                "list_entries(limit)": lambda v=v: cat.list_entries(limit=v),
                "delete_entry": lambda v=v: cat.delete_entry(v),
                "create_snapshot": lambda v=v: cat.create_snapshot(v),
                "get_snapshot": lambda v=v: cat.get_snapshot(v),
                "get_changed_entries": lambda v=v: cat.get_changed_entries(v),
                "retrieve_batch(keys)": lambda v=v: cat.retrieve_batch(v),
                "retrieve_batch(a key)": lambda v=v: cat.retrieve_batch(["cat", v]),
                "cleanup_expired(batch_size)": lambda v=v: cat.cleanup_expired(v),
                "store_batch(entries)": lambda v=v: cat.store_batch(v),
            }.items():
                tally.call(f"catalog.{entry}", name, call)
            batch = [{**good, "key": f"b-{name}-1"}, {**good, "key": v}, {**good, "key": f"b-{name}-3"}]
            tally.call("catalog.store_batch (bad 2nd of 3, atomic)", name, lambda batch=batch: cat.store_batch(batch))
            first, last = cat.get_entry(f"b-{name}-1"), cat.get_entry(f"b-{name}-3")
            if (first is None) != (last is None):
                tally.leak("catalog.store_batch (bad 2nd of 3, atomic)", name, "partial batch")
