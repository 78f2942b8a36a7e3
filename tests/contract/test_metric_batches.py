"""Bad batches on every metric storage (the fakes and SQL on every dialect, sync and async): each is
refused with InvalidInput and writes nothing, wherever in the batch the bad point sits, and whether
it comes as a Point (the bulk path takes those as they are) or as a mapping."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.domain.metrics.model import MAX_BATCH, MAX_TAGS, Point
from memcore.domain.shared.errors import InvalidInput
from tests.contract.test_metrics import FAKES
from tests.contract.test_metrics import _open as open_metrics
from tests.store_fixtures import MODES

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


@pytest.fixture(params=FAKES + MODES)
def metrics(request, engines):
    yield from open_metrics(request, engines)


def good(i: int) -> Point:
    return Point("x", float(i), T0 + timedelta(milliseconds=i), {"host": f"h{i % 3}"})


BAD_POINTS = {  # Points built directly, past Point.checked: the storages must check them all the same
    "NaN": Point("x", float("nan"), T0),
    "minus_inf": Point("x", float("-inf"), T0),
    "naive": Point("x", 1.0, datetime(2024, 5, 1)),
    "year_1": Point("x", 1.0, datetime(1, 1, 1, tzinfo=UTC)),
    "too_late_once_in_utc": Point("x", 1.0, datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))),
    "text_value": Point("x", "1", T0),
    "empty_name": Point("", 1.0, T0),
    "nested_tag": Point("x", 1.0, T0, {"host": {"a": 1}}),
    "list_tag": Point("x", 1.0, T0, {"host": ["a"]}),
    "long_tag": Point("x", 1.0, T0, {"host": "v" * 256}),
    "too_many_tags": Point("x", 1.0, T0, {f"t{i}": i for i in range(MAX_TAGS + 1)}),
    "NUL_in_a_tag": Point("x", 1.0, T0, {"host": "a\x00b"}),
    "a_known_series_with_a_float_tag_turned_nan": Point("x", 1.0, T0, {"host": float("nan")}),
}


@pytest.mark.parametrize("where", [0, 999, 1000, 1499], ids=lambda w: f"at_{w}")
@pytest.mark.parametrize("bad", BAD_POINTS.values(), ids=BAD_POINTS.keys())
def test_a_bad_point_anywhere_refuses_the_whole_batch(metrics, bad, where):
    batch = [good(i) for i in range(1500)]
    batch[where] = bad
    with pytest.raises(InvalidInput):
        metrics.record_many(batch)
    assert metrics.query("x") == []


def test_a_bad_mapping_after_the_first_thousand_writes_nothing(metrics):
    batch = [{"name": "x", "value": float(i), "timestamp": T0, "tags": {"k": i % 2}} for i in range(1200)]
    batch[1100]["value"] = float("inf")
    with pytest.raises(InvalidInput):
        metrics.record_many(batch)
    assert metrics.query("x") == []


def test_a_batch_over_the_limit_is_refused_whole(metrics):
    point = good(0)
    with pytest.raises(InvalidInput, match=str(MAX_BATCH)):
        metrics.record_many(point for _ in range(MAX_BATCH + 1))
    assert metrics.query("x") == []


def test_look_alike_tags_are_distinct_series_within_one_batch(metrics):
    tags = [{"k": 1}, {"k": 1.0}, {"k": True}, {"k": "1"}, {"k": 1}]
    assert metrics.record_many([Point("x", float(i), T0, t) for i, t in enumerate(tags)]) == 5
    assert [p.value for p in metrics.query("x", tags={"k": 1})] == [0.0, 4.0]
    assert [p.value for p in metrics.query("x", tags={"k": True})] == [2.0]
    assert len(metrics.latest("x")) == 4


def test_points_in_other_zones_and_ints_are_stored_as_utc_floats(metrics):
    local = T0.astimezone(timezone(timedelta(hours=9)))
    metrics.record_many([Point("x", 3, local), {"name": "x", "value": 2**53, "timestamp": T0 + timedelta(seconds=1)}])
    assert metrics.query("x") == [Point("x", 3.0, T0), Point("x", float(2**53), T0 + timedelta(seconds=1))]
    assert all(type(p.value) is float and p.timestamp.tzinfo is UTC for p in metrics.query("x"))
