"""The TTL sweeper of MemcoreStore: `sweep()` every few minutes on a daemon thread, until stopped.

LangGraph's semantics: the interval comes from the call, else the store's `TTLConfig`
(`sweep_interval_minutes`), else 5 minutes; a failed sweep is logged and the next one runs on time.
"""

import logging
import threading
from concurrent.futures import Future
from typing import Any

from memcore.domain.shared.errors import InvalidInput

log = logging.getLogger(__name__)
DEFAULT_MINUTES = 5.0


class Sweeper:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None
        self._future: Future[None] | None = None

    def start(self, store: Any, minutes: float | None) -> Future[None]:
        with self._lock:
            if self._future is not None and not self._future.done():
                return self._future
            config = store.ttl_config or {}
            minutes = minutes if minutes is not None else config.get("sweep_interval_minutes") or DEFAULT_MINUTES
            if isinstance(minutes, bool) or not isinstance(minutes, int | float) or minutes <= 0:
                raise InvalidInput(f"sweep_interval_minutes is a positive number, got {minutes!r}")
            stop, future = threading.Event(), Future()
            future.set_running_or_notify_cancel()
            thread = threading.Thread(target=self._loop, args=(store, minutes * 60, stop, future),
                                      name="memcore-ttl-sweeper", daemon=True)  # fmt: skip
            self._stop, self._thread, self._future = stop, thread, future
            thread.start()
            return future

    @staticmethod
    def _loop(store: Any, seconds: float, stop: threading.Event, future: Future[None]) -> None:
        try:
            while not stop.wait(seconds):
                try:
                    swept = store.sweep()
                    if swept:
                        log.info("TTL sweep deleted %d expired store items", swept)
                except Exception:  # the next sweep may well succeed (a restarted server)
                    log.exception("TTL sweep failed")
        finally:
            future.set_result(None)

    def stop(self, timeout: float | None) -> bool:
        with self._lock:
            stop, thread = self._stop, self._thread
            self._stop = self._thread = None
        if stop is None or thread is None:
            return True
        stop.set()
        thread.join(timeout)
        return not thread.is_alive()
