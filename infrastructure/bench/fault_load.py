"""Writes under server faults, shared by `memcore bench --workload faults` and
tests/reliability/test_server_faults.py.

`Load` runs writer threads and one reader thread until stopped, counting every outcome: a write
acknowledged, a failure (kept, with when it happened), or an outcome the caller cannot know
(CommitOutcomeUnknown: the connection broke as COMMIT went out). `MemcoreLoad` stores memories
and posts into one conversation through memcore; `lost()` says which acknowledged writes are
missing afterwards.
"""

import threading
import time
from collections.abc import Callable
from typing import Any

from memcore.application.conversations.commands import PostMessage, StartConversation
from memcore.application.memory.commands import StoreMemory
from memcore.domain.shared.errors import CommitOutcomeUnknown

Ack = tuple[str, Any]  # (kind, key) of a write
Plan = Callable[[int, int], tuple[Ack, Callable[[], Any]]]  # (writer, n) -> what it writes, how


class Load:
    """`writers` threads doing `plan(w, n)` for n = 0, 1, …, and a reader doing `read()`."""

    def __init__(self, plan: Plan, read: Callable[[], Any], writers: int = 4) -> None:
        self.plan, self.read = plan, read
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acked: list[Ack] = []
        self.unknown: list[tuple[str, Ack]] = []  # (message, what the write was)
        self.failures: list[BaseException] = []
        self.failed_at: list[float] = []
        self.last_success: dict[int, float] = {}
        self.threads = [threading.Thread(target=self._write, args=(w,)) for w in range(writers)]
        self.threads.append(threading.Thread(target=self._read, args=(writers,)))

    def _outcome(self, who: int, call: Callable[[], Any], acked: Ack | None) -> None:
        try:
            call()
        except CommitOutcomeUnknown as exc:
            with self.lock:
                self.unknown.append((str(exc), acked))  # type: ignore[arg-type]
                self.failed_at.append(time.monotonic())
        except BaseException as exc:
            with self.lock:
                self.failures.append(exc)
                self.failed_at.append(time.monotonic())
            time.sleep(0.02)
        else:
            with self.lock:
                self.last_success[who] = time.monotonic()
                if acked is not None:
                    self.acked.append(acked)

    def _write(self, w: int) -> None:
        n = 0
        while not self.stop.is_set():
            acked, call = self.plan(w, n)
            self._outcome(w, call, acked)
            n += 1

    def _read(self, who: int) -> None:
        while not self.stop.is_set():
            self._outcome(who, self.read, None)
            time.sleep(0.005)

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)

    def recovered_after(self, moment: float, timeout: float = 30) -> float | None:
        """Seconds from `moment` until every thread has succeeded again, None if some never did."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                times = [self.last_success.get(i, 0) for i in range(len(self.threads))]
            if min(times) > moment:
                return max(times) - moment
            time.sleep(0.01)
        return None

    def outage_after(self, moment: float, until: float) -> float:
        """Seconds from `moment` to the last failed call before `until` (0 if none failed)."""
        with self.lock:
            failed = [t for t in self.failed_at if moment <= t <= until]
        return max(failed) - moment if failed else 0.0


class MemcoreLoad(Load):
    """Memories stored and posts made through one memcore application (`app`), a reader reading."""

    def __init__(self, app: Any, writers: int = 4, prefix: str = "w") -> None:
        self.app = app
        self.conversation = app.handle(StartConversation(title=f"{prefix}load")).id
        self.prefix = prefix
        super().__init__(self._plan, lambda: app.memory.get_value(f"{prefix}0-1"), writers)

    def _plan(self, w: int, n: int) -> tuple[Ack, Callable[[], Any]]:
        key = f"{self.prefix}{w}-{n}"
        if n % 2:
            return ("memory", key), lambda: self.app.handle(StoreMemory(key, n))
        return ("post", key), lambda: self.app.handle(PostMessage(self.conversation, "user", key))

    def posts(self) -> list[Any]:
        return self.app.conversations.messages(self.conversation, limit=10**6)

    def _stored(self, ack: Ack, posted: set[str]) -> bool:
        kind, key = ack
        return key in posted if kind == "post" else self.app.memory.get(key) is not None

    def lost(self) -> list[str]:
        """The acknowledged writes that are not stored."""
        posted = {m.content for m in self.posts()}
        return [ack[1] for ack in self.acked if not self._stored(ack, posted)]

    def unknown_stored(self) -> int:
        """How many writes of unknown outcome turned out stored (for the caller to read back)."""
        posted = {m.content for m in self.posts()}
        return sum(1 for _, ack in self.unknown if self._stored(ack, posted))
