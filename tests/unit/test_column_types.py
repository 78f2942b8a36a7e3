"""The column types' own bind processors: JSON text as json.dumps writes it, datetimes as naive UTC."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memcore.infrastructure.sqlalchemy.types import _encode_json, _naive_utc, _utc_text

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(json_values.filter(lambda value: value is not None))  # None is NULL, not 'null'
def test_json_is_encoded_exactly_as_json_dumps_writes_it(value):
    assert _encode_json(value) == json.dumps(value)


def test_json_that_cannot_be_encoded_raises_the_standard_errors():
    looped: list = []
    looped.append(looped)
    with pytest.raises(ValueError, match="Circular"):
        _encode_json(looped)
    with pytest.raises(ValueError):
        _encode_json({"x": float("nan")})
    with pytest.raises(TypeError):
        _encode_json({"x": {1, 2}})
    assert _encode_json(None) is None


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(hours=5, minutes=30), timedelta(hours=-8)])
def test_datetimes_are_bound_as_naive_utc_with_microseconds(offset):
    local = datetime(2026, 3, 1, 1, 2, 3, tzinfo=timezone(offset))
    utc = local.astimezone(UTC).replace(tzinfo=None)
    assert _naive_utc(local) == utc and _naive_utc(local).tzinfo is None
    assert _utc_text(local) == utc.strftime("%Y-%m-%d %H:%M:%S.%f")
    assert _utc_text(local.replace(microsecond=7)) == utc.strftime("%Y-%m-%d %H:%M:%S.000007")
    with pytest.raises(ValueError, match="naive"):
        _naive_utc(datetime(2026, 3, 1))
