"""The stores' optional vector index: LangGraph's `index` config (`dims`, `embed`, `fields`).

    MemcoreStore(url, index={"dims": 1536, "embed": embeddings, "fields": ["text"]})

A put embeds the texts at the configured fields (or the put's own `index` list; `index=False`
embeds nothing) and keeps one vector per text in `langgraph_store_vectors`, normalised, as float32
bytes. A search with `query=` then ranks exactly: the live items under the prefix that the filter
keeps are the candidates, each scored by the best cosine of its vectors (computed here, in Python),
items without a vector last, unscored, as LangGraph's InMemoryStore does. No engine-side vector
index (pgvector and the like) is used: the same answer on every dialect and in memory.
"""

import math
import struct
import sys
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from langgraph.store.base import IndexConfig
from langgraph.store.base.embed import ensure_embeddings, get_text_at_path

from memcore.domain.shared.errors import InvalidInput

Vectors = list[tuple[str, bytes]]  # (field, vector bytes) of one item


class VectorIndex:
    """What an `index` config means for puts and searches; `None` config: no index."""

    def __init__(self, config: IndexConfig) -> None:
        if not isinstance(config, Mapping) or "embed" not in config:
            raise InvalidInput("index needs 'dims' and 'embed' (and optionally 'fields')")
        dims = config.get("dims")
        if isinstance(dims, bool) or not isinstance(dims, int) or dims <= 0:
            raise InvalidInput(f"index dims is a positive integer, got {dims!r}")
        self.dims = dims
        self.embeddings = ensure_embeddings(config["embed"])
        fields = config.get("fields") or ["$"]
        if isinstance(fields, str) or not all(isinstance(f, str) and f for f in fields):
            raise InvalidInput(f"index fields is a list of paths, got {fields!r}")
        self.fields = list(fields)

    def texts(self, value: Mapping[str, Any], index: Any) -> list[tuple[str, str]]:
        """(field, text) pairs to embed for a put with `index` (None: the config's fields)."""
        if index is False:
            return []
        if index is None:
            fields = self.fields
        elif isinstance(index, list) and all(isinstance(f, str) and f for f in index):
            fields = index
        else:
            raise InvalidInput(f"a put's index is False, None or a list of field paths, got {index!r}")
        found = []
        for field in fields:
            try:
                texts = get_text_at_path(value, field)
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                raise InvalidInput(f"index field {field!r}: {exc}") from None
            found.extend((field, text) for text in texts if isinstance(text, str) and text)
        return found

    def pack(self, fields: Sequence[str], embedded: Sequence[Sequence[float]]) -> Vectors:
        """The embedder's vectors, checked and normalised, as stored."""
        if len(embedded) != len(fields):
            raise InvalidInput(f"the embedder gave {len(embedded)} vectors for {len(fields)} texts")
        return [(field, self.encode(vector)) for field, vector in zip(fields, embedded, strict=True)]

    def encode(self, vector: Sequence[float]) -> bytes:
        values = self.checked(vector)
        norm = math.sqrt(sum(v * v for v in values))
        packed = array("f", (v / norm for v in values) if norm else values)
        if sys.byteorder != "little":
            packed.byteswap()
        return packed.tobytes()

    def checked(self, vector: Sequence[float]) -> list[float]:
        try:
            values = [float(v) for v in vector]
        except (TypeError, ValueError):
            raise InvalidInput("an embedding is a sequence of numbers") from None
        if len(values) != self.dims:
            raise InvalidInput(f"the embedder gave {len(values)} dimensions; the index has {self.dims}")
        if not all(math.isfinite(v) for v in values):
            raise InvalidInput("an embedding holds NaN or an infinity")
        return values

    def query(self, vector: Sequence[float]) -> tuple[float, ...]:
        """The query's vector, normalised, ready for `score`."""
        return struct.unpack(f"<{self.dims}f", self.encode(vector))

    def score(self, query: tuple[float, ...], stored: list[bytes]) -> float | None:
        """The best cosine between the query and an item's vectors (None: it has none)."""
        best = None
        for packed in stored:
            values = struct.unpack(f"<{self.dims}f", packed) if len(packed) == 4 * self.dims else None
            if values is None:  # written under another dims: not comparable
                continue
            cosine = math.fsum(q * v for q, v in zip(query, values, strict=True))
            best = cosine if best is None or cosine > best else best
        return best


def rank(
    index: VectorIndex, query: tuple[float, ...], rows: list[Any], vectors: Mapping[tuple[str, str], list[bytes]]
) -> tuple[list[Any], list[float | None]]:
    """The candidate rows best first (scored), then those without a vector in their own order."""
    scored, unscored = [], []
    for position, row in enumerate(rows):
        score = index.score(query, vectors.get((row[0], row[1]), []))
        (unscored if score is None else scored).append((score, position, row))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    ordered = scored + unscored
    return [row for _, _, row in ordered], [score for score, _, _ in ordered]
