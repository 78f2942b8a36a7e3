"""What a benchmark workload is made of: phases, each run by memcore and by the raw driver, and targets."""

from collections.abc import Callable, Sequence
from typing import Any, Protocol, Self

import attrs


def _nothing() -> None:
    return None


@attrs.frozen
class Target:
    """What the issue asks of a phase: `metric` (a key of the phase's report) at least `minimum`."""

    metric: str
    minimum: float


@attrs.frozen
class Phase:
    """One kind of work done `ops` times, by memcore (`ours`) and by the raw driver (`raw`).

    `before` runs untimed before each side, `after` untimed after it. What a side returns, paired
    with what `after` returns, must be equal for both sides: a benchmark of different work is useless.

    With `latencies`, each side returns `(outcome, seconds of each op)` and the report adds p50/p95.
    `raw_ops` says how many ops the raw side does when it only runs a sample (a slow scan, say);
    ratios are then per op. `note` is printed and reported with the phase; `extras` is called when
    the report is made, and what it returns (figures the workload measured itself) joins the phase's.
    """

    name: str
    ops: int
    ours: Callable[[], Any]
    raw: Callable[[], Any]
    before: Callable[[], Any] = _nothing
    after: Callable[[], Any] = _nothing
    raw_ops: int | None = None
    latencies: bool = False
    target: Target | None = None
    note: str | None = None
    extras: Callable[[], dict[str, Any]] | None = None


class Workload(Protocol):
    dialect: str
    masked_url: str

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def start_round(self) -> None: ...
    def phases(self) -> Sequence[Phase]: ...
