"""Specification queries for `app.ideas.find(...)` / `count(...)`: `Field("score") > 80`, ordered, paged."""

from memcore.domain.shared.specification import Field, Order, Query, Specification

__all__ = ["Field", "Order", "Query", "Specification"]
