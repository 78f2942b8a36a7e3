"""Hostile input through the public commands, queries, drop-ins and CLI, on every dialect.

Every value of hostile.HOSTILE goes into every slot below. Each call either stores the value and
reads it back exactly, or raises a typed memcore error with a clear message; a batch with one bad
item writes nothing. Property-based (hypothesis) for the memory round trip, where the space is large.
"""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import memcore
from memcore import commands as c
from memcore.errors import InvalidInput, MemcoreError
from memcore.query import Query
from tests.reliability.conftest import SCALE
from tests.reliability.hostile import HOSTILE, STRINGS, Tally, same
from tests.reliability.test_concurrency import dialect_of


def _value_back(app, key, value):
    def check(_):
        got = app.memory.get_value(key)
        if got is None or not same(value, got[0]):
            return f"stored value read back as {str(got)[:80]!r}"
        return None

    return check


def commands_and_queries(app, tally: Tally) -> None:
    conversation = app.handle(c.StartConversation(title="hostile")).id
    conflict = app.handle(c.RecordConflict("u", "a", "b", "preferences", 0.9, 0.5))
    for name, v in HOSTILE.items():
        # -- commands
        tally.call("StoreMemory.key", name, lambda v=v, name=name: app.handle(c.StoreMemory(v, "x")), _key_back(app, v))
        key = f"value-{name}"
        tally.call(
            "StoreMemory.value", name, lambda v=v, k=key: app.handle(c.StoreMemory(k, v)), _value_back(app, key, v)
        )
        tally.call("StoreMemory.metadata", name, lambda v=v, name=name: app.handle(c.StoreMemory("m", 1, v)))
        first, last = f"batch-{name}-1", f"batch-{name}-3"
        tally.call(
            "StoreMemories (bad 2nd of 3)",
            name,
            lambda v=v, a=first, b=last: app.handle(
                c.StoreMemories([c.StoreMemory(a, 1), c.StoreMemory(v, 2), c.StoreMemory(b, 3)])
            ),
        )
        if (app.memory.get(first) is None) != (app.memory.get(last) is None):
            tally.leak("StoreMemories (bad 2nd of 3)", name, "partial batch")
        tally.call(
            "PostMessage.content",
            name,
            lambda v=v, name=name: app.handle(c.PostMessage(conversation, "user", v)),
            _content_back(app, v),
        )
        tally.call(
            "PostMessage.sender_type", name, lambda v=v, name=name: app.handle(c.PostMessage(conversation, v, "c"))
        )
        tally.call(
            "PostMessage.role_metadata",
            name,
            lambda v=v, name=name: app.handle(c.PostMessage(conversation, "user", "c", v)),
        )
        tally.call(
            "PostMessage.conversation_id", name, lambda v=v, name=name: app.handle(c.PostMessage(v, "user", "c"))
        )
        tally.call("StartConversation.title", name, lambda v=v, name=name: app.handle(c.StartConversation(title=v)))
        tally.call("GetOrCreateUser.external_id", name, lambda v=v, name=name: app.handle(c.GetOrCreateUser(v)))
        tally.call("CreateUser.email", name, lambda v=v, name=name: app.handle(c.CreateUser(email=v)))
        tally.call("AddIdea.title", name, lambda v=v, name=name: app.handle(c.AddIdea(_idea(name, title=v))))
        tally.call("AddIdea.score", name, lambda v=v, name=name: app.handle(c.AddIdea(_idea(name + "s", score=v))))
        tally.call(
            "AddIdea.metadata", name, lambda v=v, name=name: app.handle(c.AddIdea(_idea(name + "m", metadata=v)))
        )
        ideas = app.ideas.count()
        tally.call(
            "AddIdeas (bad 2nd of 3)",
            name,
            lambda v=v, name=name: app.handle(
                c.AddIdeas([_idea(name + "1"), _idea(name + "2", title=v), _idea(name + "3")])
            ),
        )
        _nothing_partial(tally, "AddIdeas (bad 2nd of 3)", name, None, ideas, app.ideas.count(), batch=3)
        tally.call(
            "RecordConflict.user_id",
            name,
            lambda v=v, name=name: app.handle(c.RecordConflict(v, "a", "b", "preferences", 0.9, 0.5)),
        )
        tally.call(
            "RecordConflict.similarity_score",
            name,
            lambda v=v, name=name: app.handle(c.RecordConflict("u", "a", "b", "preferences", v, 0.5)),
        )
        tally.call(
            "ResolveConflict.decision",
            name,
            lambda v=v, name=name: app.handle(c.ResolveConflict(conflict, v, "manual", "me")),
        )
        tally.call("SaveCheckpoint.thread_id", name, lambda v=v, name=name: app.handle(c.SaveCheckpoint(v, "p", {})))
        tally.call(
            "SaveCheckpoint.state",
            name,
            lambda v=v, name=name: app.handle(c.SaveCheckpoint("t", "p", {"s": v})),
            _state_back(app, v),
        )
        tally.call(
            "UpsertKnowledgeChunk.content", name, lambda v=v, name=name: app.handle(c.UpsertKnowledgeChunk("s", "e", v))
        )
        chunks = app.knowledge.count()
        tally.call(
            "BulkUpsertKnowledgeChunks (bad 2nd of 3)",
            name,
            lambda v=v, name=name: app.handle(
                c.BulkUpsertKnowledgeChunks([_chunk("b1", "ok"), _chunk("b2", v), _chunk("b3", "ok")])
            ),
        )
        _nothing_partial(
            tally, "BulkUpsertKnowledgeChunks (bad 2nd of 3)", name, None, chunks, app.knowledge.count(), batch=3
        )
        # -- queries
        tally.call("memory.get", name, lambda v=v, name=name: app.memory.get(v))
        tally.call("memory.search(query)", name, lambda v=v, name=name: app.memory.search(v))
        tally.call("memory.search(limit)", name, lambda v=v, name=name: app.memory.search("x", limit=v))
        tally.call("knowledge.search(text)", name, lambda v=v, name=name: app.knowledge.search(v))
        tally.call("knowledge.search(limit)", name, lambda v=v, name=name: app.knowledge.search("x", limit=v))
        tally.call(
            "conversations.messages(limit)",
            name,
            lambda v=v, name=name: app.conversations.messages(conversation, limit=v),
        )
        tally.call(
            "conversations.messages(offset)",
            name,
            lambda v=v, name=name: app.conversations.messages(conversation, offset=v),
        )
        tally.call("users.list(limit)", name, lambda v=v, name=name: app.users.list(limit=v))
        tally.call("users.get_by_external_id", name, lambda v=v, name=name: app.users.get_by_external_id(v))
        tally.call("ideas.find(Query limit)", name, lambda v=v, name=name: app.ideas.find(Query(limit=v)))
        tally.call("checkpoints.history(thread)", name, lambda v=v, name=name: app.checkpoints.history(v))
        tally.call("checkpoints.history(limit)", name, lambda v=v, name=name: app.checkpoints.history("t", limit=v))
        tally.call("pending_conflicts(limit)", name, lambda v=v, name=name: app.pending_conflicts("u", limit=v))


def _idea(tag: str, **fields):
    base = {
        "title": f"idea {tag}",
        "description": "d",
        "content": "c",
        "keywords": ["k"],
        "source_type": "text",
        "metadata": {},
        "source_id": f"hostile-{tag}",
        "score": 50,
        "category": "technology",
    }
    return {**base, **fields}


def _chunk(external_id: str, content):
    return {"source": "hostile", "external_id": external_id, "content": content}


def _key_back(app, key):
    return lambda _: None if same("x", (app.memory.get_value(key) or [None])[0]) else "key not read back"


def _content_back(app, content):
    def check(view):
        stored = app.conversations.get_message(view.id)
        return None if stored is not None and stored.content == content else "content not read back exactly"

    return check


def _state_back(app, value):
    def check(checkpoint_id):
        stored = app.checkpoints.get(checkpoint_id)
        return None if stored is not None and same({"s": value}, stored.state) else "state not read back exactly"

    return check


def _nothing_partial(tally, entry, name, partial_flag, before, after, batch=3) -> None:
    """A batch is stored whole or not at all: the count moved by 0 or by the whole batch."""
    if partial_flag or (after - before) not in (0, batch):
        tally.leak(entry, name, f"partial batch: {after - before} of {batch} rows stored")


def drop_ins(url: str, tally: Tally) -> None:
    from memcore.compat.ltm import SQLAlchemyBackend

    with SQLAlchemyBackend(url) as backend:
        for name, v in HOSTILE.items():
            tally.call("ltm.store(key)", name, lambda v=v, name=name: backend.store(v, "x"))
            tally.call(
                "ltm.store(value)",
                name,
                lambda v=v, name=name: backend.store(f"ltm-{name}", v),
                lambda _, v=v, name=name: (
                    None if same(v, backend.retrieve(f"ltm-{name}")["value"]) else "value not read back exactly"
                ),
            )
            tally.call("ltm.store(metadata)", name, lambda v=v, name=name: backend.store("m", 1, v))
            tally.call("ltm.retrieve", name, lambda v=v, name=name: backend.retrieve(v))
            tally.call("ltm.search(query)", name, lambda v=v, name=name: backend.search(v))
            tally.call("ltm.search(limit)", name, lambda v=v, name=name: backend.search("x", limit=v))
            tally.call("ltm.delete", name, lambda v=v, name=name: backend.delete(v))


def cli(url: str, tally: Tally, capsys) -> None:
    from memcore.infrastructure.cli.main import main

    def run(*args: str):
        def call():
            code = main(list(args))
            _, err = capsys.readouterr()
            if code not in (0, 1, 2) or "Traceback" in err:
                raise AssertionError(f"exit {code}: {err[-300:]}")
            if code in (1, 2):  # 2: a usage error (an argument starting with "-" needs "--" before it)
                raise InvalidInput(err.strip().splitlines()[-1] if err.strip() else "")
            return code

        return call

    for name, v in STRINGS.items():
        if "\x00" in v or len(v) > 100_000 or "\ud800" in v:
            continue  # no process can be given these as arguments
        tally.call("cli memory put (key)", name, run("memory", "put", "--url", url, v, '"x"'))
        tally.call("cli memory put (value)", name, run("memory", "put", "--url", url, "k", v))
        tally.call("cli memory get", name, run("memory", "get", "--url", url, v))
        tally.call("cli memory search", name, run("memory", "search", "--url", url, v))
        tally.call("cli chat start (title)", name, run("chat", "start", "--url", url, "--title", v))
        tally.call("cli chat show", name, run("chat", "show", "--url", url, v))


def test_hostile_values_are_stored_exactly_or_refused_with_a_typed_error(database, results, capsys):
    tally = Tally()
    with memcore.connect(database) as app:
        commands_and_queries(app, tally)
    drop_ins(database, tally)
    cli(database, tally, capsys)
    totals = tally.totals()
    results.record(
        "hostile input", dialect_of(database), "commands, queries, drop-ins, CLI", **totals, hostile_values=len(HOSTILE)
    )
    if os.environ.get("MEMCORE_HOSTILE_LEAKS"):
        with open(os.environ["MEMCORE_HOSTILE_LEAKS"], "a", errors="backslashreplace") as out:
            out.write("\n".join(f"{dialect_of(database)} {leak}" for leak in tally.leaks) + "\n")
    assert tally.leaks == [], "\n".join(tally.leaks[:40])


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def test_any_key_and_json_value_round_trips_exactly_or_is_refused(database, results):
    tally = Tally()
    with memcore.connect(database) as app:

        @settings(max_examples=SCALE["examples"], deadline=None, suppress_health_check=list(HealthCheck))
        @given(key=st.text(max_size=300), value=json_values)
        def round_trip(key, value):
            tally.call(
                "StoreMemory (hypothesis)",
                "generated",
                lambda: app.handle(c.StoreMemory(key, value)),
                _value_back(app, key, value),
            )

        round_trip()
    results.record("hostile input", dialect_of(database), "memory round trip (hypothesis)", **tally.totals())
    assert tally.leaks == [], "\n".join(tally.leaks[:20])


_ = (json, os, pytest, MemcoreError)
