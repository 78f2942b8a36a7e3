"""What full-text search sees: the words of an entry, and of a query.

A word is a run of letters and digits (Unicode categories L and N; the underscore separates), compared
in lower case. The in-memory fake matches with exactly these rules; the SQL engines tokenise with
their own parsers, which agree with them on plain words (see infrastructure/sqlalchemy/search.py).
"""

import re
from collections.abc import Iterable, Iterator
from typing import Any

_WORD = re.compile(r"[^\W_]+")


def words(text: str) -> list[str]:
    """The words of `text`, lower-cased, in order (repeats kept)."""
    return [word.lower() for word in _WORD.findall(text)]


def strings_in(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (object keys excluded), depth first."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def indexed_text(key: str, value: Any) -> str:
    """The text an entry is found by: its key and every string in its value."""
    return " ".join((key, *strings_in(value)))


def query_words(query: str | None) -> list[str]:
    """The distinct words of a user query, in order; [] means no text filter."""
    if not query:
        return []
    return list(dict.fromkeys(words(query)))


def matches(found_in: Iterable[str], wanted: list[str]) -> bool:
    """Every wanted word is among the words found."""
    have = set(found_in)
    return all(word in have for word in wanted)
