"""A fixed-seed generator of agent memories: keys, JSON values of realistic text, metadata.

Words follow a Zipf law over a vocabulary of common English words and made-up content words, so
a few words are everywhere and most are rare, as in real notes. Text is lower case. Query words
are content words (four letters or more, never a stop word of any engine, never inside another
word) drawn uniformly from the vocabulary.
"""

import random
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

KEY_PREFIX = "bench-mem:"
BASE_TIME = datetime(2025, 1, 1, tzinfo=UTC)
COMMON = (
    "the", "and", "of", "to", "a", "in", "is", "for", "that", "with", "on", "was", "it", "as", "at",
    "user", "said", "likes", "wants", "asked", "about", "agent", "meeting", "plan", "today", "next",
    "week", "project", "prefers", "because", "after", "before", "team", "call", "notes", "email",
    "travel", "budget", "coffee", "garden", "music", "report", "deadline", "friday", "morning",
)  # fmt: skip
ACCENTED = ("café", "Zürich", "naïve", "señal", "東京", "données", "история", "crème", "façade", "smörgåsbord")
ONSETS = ("b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "tr", "st", "pl", "gr")
VOWELS = ("a", "e", "i", "o", "u", "ai", "ou", "ea")
CODAS = ("", "", "", "n", "r", "s", "l", "m", "th")
KINDS = ("profile", "preference", "summary", "fact", "task", "episode")
SOURCES = ("chat", "email", "calendar", "import", "tool")
# Stop words of four letters or more that made-up words could spell (PostgreSQL's english list).
STOP_WORDS = frozenset({"more", "some", "same", "most", "once", "only", "over", "very", "been", "them", "then"})
FIELD_NAMES = ("name", "bio", "interests", "age", "summary", "turns", "fact", "confidence", "verified", "title",
               "steps", "done", "due", "null", "true", "false")  # fmt: skip
VOCABULARY_SIZE = 6_000
ZIPF = 1.07


def _made_up_word(rng: random.Random) -> str:
    syllables = rng.choice((2, 2, 3, 3, 4))
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)) + rng.choice(CODAS)


class MemoryText:
    """Deterministic entries and query words; the same seed gives the same data on every run."""

    def __init__(self, seed: int = 3) -> None:
        rng = random.Random(seed)
        words: list[str] = list(COMMON)
        seen = set(words)
        while len(words) < VOCABULARY_SIZE:
            word = _made_up_word(rng)
            if word not in seen and word not in STOP_WORDS and len(word) >= 4:
                seen.add(word)
                words.append(word)
        self.words = words
        self.content_words = [w for w in words if w not in COMMON]
        # Query words are never part of another word (nor of a JSON field name), so that a LIKE
        # '%word%' scan and a word index find the same entries: the benchmark checks they do.
        everything = "\n".join((*words, *ACCENTED, *FIELD_NAMES))
        self.query_vocabulary = [w for w in self.content_words if everything.count(w) == 1]
        self._cumulative = list(accumulate(1 / rank**ZIPF for rank in range(1, len(words) + 1)))
        self.seed = seed

    def _sentence(self, rng: random.Random, low: int, high: int) -> str:
        count = rng.randint(low, high)
        picked = rng.choices(self.words, cum_weights=self._cumulative, k=count)
        if rng.random() < 0.05:
            picked[rng.randrange(count)] = rng.choice(ACCENTED)
        return " ".join(picked) + "."

    def _value(self, rng: random.Random, kind: str) -> Any:
        sentence = self._sentence
        if kind == "profile":
            return {
                "name": f"{rng.choice(self.content_words)} {rng.choice(self.content_words)}",
                "bio": sentence(rng, 12, 30),
                "interests": [rng.choice(self.content_words) for _ in range(rng.randint(1, 5))],
                "age": rng.randint(18, 90),
            }
        if kind == "preference":
            return sentence(rng, 6, 18)
        if kind == "summary":
            return {
                "summary": " ".join(sentence(rng, 8, 20) for _ in range(rng.randint(2, 4))),
                "turns": rng.randint(2, 60),
            }
        if kind == "fact":
            return {"fact": sentence(rng, 6, 16), "confidence": round(rng.random(), 3), "verified": rng.random() < 0.3}
        if kind == "task":
            return {"title": sentence(rng, 3, 8), "steps": [sentence(rng, 4, 10) for _ in range(rng.randint(1, 4))],
                    "done": rng.random() < 0.5, "due": None}  # fmt: skip
        return [sentence(rng, 5, 14) for _ in range(rng.randint(1, 4))]

    def entries(self, count: int) -> list[tuple[str, Any, dict[str, Any], datetime]]:
        """(key, value, metadata, timestamp) for `count` entries, keys unique and all under KEY_PREFIX."""
        rng = random.Random(self.seed * 1_000_003 + count)
        out = []
        for i in range(count):
            kind = KINDS[rng.randrange(len(KINDS))]
            user = rng.randrange(max(1, count // 20))
            key = f"{KEY_PREFIX}user:{user}:{kind}:{i}"
            metadata = {"user": f"u{user}", "kind": kind, "source": rng.choice(SOURCES),
                        "importance": round(rng.random(), 2)}  # fmt: skip
            when = BASE_TIME + timedelta(seconds=rng.randrange(180 * 86_400), microseconds=rng.randrange(1_000_000))
            out.append((key, self._value(rng, kind), metadata, when))
        return out

    def query_words(self, count: int) -> list[str]:
        rng = random.Random(self.seed * 7 + count)
        return [rng.choice(self.query_vocabulary) for _ in range(count)]
