"""The in-memory fake and each SQL adapter, driven with the same random catalog operations.

Both sides get their own clock ticking one second per call, in step because the same commands run;
expiry times are drawn around that clock so cleanups delete some entries and keep others. Snapshot
ids are random UUIDs, so snapshots are named by position and compared without their id.
"""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, rule, run_state_machine_as_test

from memcore.application.memory.commands import (
    CleanupExpired,
    CreateSnapshot,
    DeleteCatalogEntry,
    StoreCatalogBatch,
    TrackCatalogEntry,
)
from tests.conftest import SQL_DIALECTS, dialect_param
from tests.parity.common import PARITY_SETTINGS, ParityMachine

START = datetime(2026, 1, 1, tzinfo=UTC)  # tests.parity.common.Clock's first tick is one second later
KEYS = st.sampled_from(["a", "a/1", "a/2", "A/1", "b", "b/ä", "\U0001d518", "x" * 512])
EXPIRY = st.none() | st.integers(-5, 120).map(lambda s: START + timedelta(seconds=s))
META = st.none() | st.dictionaries(st.sampled_from(["t", "n"]), st.sampled_from(["x", "y", 1, 1.5, True]), max_size=2)
INLINED = st.none() | st.sampled_from([{"small": [1, None]}, "text", 0, [], False])
ENTRY = st.fixed_dictionaries(
    {"key": KEYS, "content_hash": st.sampled_from(["h1", "h2"]), "byte_size": st.integers(0, 2**40)},
    optional={"storage_uri": st.none() | st.just("s3://b/k"), "metadata": META, "inlined_value": INLINED,
              "expires_at": EXPIRY},
)  # fmt: skip
BAD_ENTRY = st.sampled_from([{"key": "", "content_hash": "h", "byte_size": 1}, {"key": "z", "byte_size": 1},
                             {"key": "z", "content_hash": "h", "byte_size": -1}, "not a dict"])  # fmt: skip
FILTER = st.none() | st.dictionaries(st.sampled_from(["t", "n"]), st.sampled_from(["x", 1, True]), max_size=1)


def dicts(views):
    return [view.to_dict() for view in views]


def without_id(view):
    return None if view is None else {k: v for k, v in view.to_dict().items() if k != "id"}


class CatalogParity(ParityMachine):
    def __init__(self) -> None:
        super().__init__()
        self.snapshots: dict[str, list[str]] = {"fake": [], "real": []}

    @initialize(entries=st.lists(ENTRY, min_size=3, max_size=8))
    def seed(self, entries):
        self.both(lambda s: s.bus.handle(StoreCatalogBatch(entries)))

    def side(self, services):
        return "fake" if services is self.fake else "real"

    @rule(entry=ENTRY)
    def track(self, entry):
        self.both(lambda s: s.bus.handle(TrackCatalogEntry(**{"storage_uri": None, **entry})))

    @rule(key=KEYS)
    def delete(self, key):
        self.both(lambda s: s.bus.handle(DeleteCatalogEntry(key)))

    @rule(name=st.sampled_from(["nightly", "ünï", ""]))
    def snapshot(self, name):
        def run(services):
            snapshot_id = services.bus.handle(CreateSnapshot(name))
            self.snapshots[self.side(services)].append(snapshot_id)
            return without_id(services.catalog.get_snapshot(snapshot_id))

        self.both(run)

    @rule(position=st.none() | st.integers(0, 5))
    def changed(self, position):
        def run(services):
            ids = self.snapshots[self.side(services)]
            if position is not None and position >= len(ids):
                return "no such snapshot"
            return dicts(services.catalog.changed_since(None if position is None else ids[position]))

        self.both(run)

    @rule(entries=st.lists(ENTRY | BAD_ENTRY, max_size=5), atomic=st.booleans())
    def batch(self, entries, atomic):
        self.both(lambda s: s.bus.handle(StoreCatalogBatch(entries, atomic=atomic)))

    @rule(batch_size=st.integers(1, 3))
    def cleanup(self, batch_size):
        self.both(lambda s: s.bus.handle(CleanupExpired(batch_size)))

    @rule(prefix=st.none() | st.sampled_from(["a", "a/", "A", "b/", ""]), metadata_filter=FILTER,
          limit=st.integers(0, 5))  # fmt: skip
    def list(self, prefix, metadata_filter, limit):
        self.both(lambda s: dicts(s.catalog.list(prefix, metadata_filter, limit)))

    @rule(keys=st.lists(KEYS, max_size=4))
    def get_many(self, keys):
        self.both(lambda s: {k: None if v is None else v.to_dict() for k, v in s.catalog.get_many(keys).items()})

    @invariant()
    def same_catalog(self):
        self.both(lambda s: dicts(s.catalog.list(limit=100)))


@pytest.mark.parametrize("dialect", [dialect_param(d) for d in SQL_DIALECTS])
def test_fake_and_sql_adapter_agree_on_the_catalog(dialect, engines):
    CatalogParity.engine = engines[dialect]
    run_state_machine_as_test(CatalogParity, settings=PARITY_SETTINGS)
