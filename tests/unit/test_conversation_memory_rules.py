"""The rules of conversation memory items and budgets (domain/conversations/memory.py)."""

import pytest

from memcore.domain.conversations.memory import Budget, approx_tokens, check_item, conversation_id, sender_type
from memcore.domain.shared.errors import InvalidInput


def test_a_session_id_always_maps_to_the_same_conversation():
    assert conversation_id("user-42") == conversation_id("user-42") != conversation_id("user-43")
    with pytest.raises(InvalidInput):
        conversation_id("x" * 256)


@pytest.mark.parametrize(
    ("role", "sender"),
    [("user", "user"), ("human", "user"), ("ai", "assistant"), ("developer", "system"), ("function_call", "assistant")],
)
def test_roles_map_onto_the_chats_sender_types(role, sender):
    assert sender_type(role) == sender


def test_a_budget_admits_the_newest_until_one_does_not_fit():
    budget = Budget(max_items=None, max_tokens=5)
    assert [budget.admit(t) for t in (2, 3, 1)] == [True, True, False]
    assert Budget(max_items=1, max_tokens=None).admit(10**9)


def test_an_item_counts_its_tokens_with_the_given_counter():
    assert check_item({"role": "user", "content": "abcdefgh"}, approx_tokens).tokens == 2
    assert check_item({"role": "user", "content": "abc"}, lambda text: 7).tokens == 7
    with pytest.raises(InvalidInput):
        check_item({"role": "user", "content": "abc"}, lambda text: -1)


def test_the_ids_one_process_makes_always_ascend():
    """Many in one millisecond: each is the last plus one, so posting order is also id order."""
    import uuid

    from memcore.infrastructure.compat.memory_plans import time_ordered_id

    ids = [time_ordered_id() for _ in range(5_000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {uuid.UUID(i).version for i in ids} == {7} and {uuid.UUID(i).variant for i in ids} == {uuid.RFC_4122}
