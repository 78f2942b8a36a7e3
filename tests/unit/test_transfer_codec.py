"""The canonical row text of transfers: exact round trips, and one checksum for equal rows."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memcore.domain.shared.errors import InvalidInput
from memcore.infrastructure.sqlalchemy.tables import metadata
from memcore.infrastructure.transfer.codec import CanonicalDigester, decode, encode
from memcore.infrastructure.transfer.tables import CONTEXTS, table_names

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.text(),
    st.binary(max_size=64),
    st.datetimes(timezones=st.just(UTC)),
)


@given(st.lists(values, max_size=12))
def test_every_wire_value_comes_back_exactly(row):
    back = decode(encode(row))
    assert back == tuple(row)
    assert [type(v) for v in back] == [type(v) for v in row]


def test_a_datetime_is_written_in_utc_so_equal_instants_hash_alike():
    utc = datetime(2024, 5, 1, 10, 0, 0, 1, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=2)))
    a, b = CanonicalDigester("t"), CanonicalDigester("t")
    a.update((1, utc)), b.update((1, paris))
    assert a.result() == b.result() and decode(encode((paris,))) == (utc,)


def test_negative_zero_and_extreme_doubles_survive():
    row = (-0.0, 5e-324, 1.7976931348623157e308, 0.1 + 0.2)
    back = decode(encode(row))
    assert back == row and str(back[0]) == "-0.0"


def test_a_value_a_column_cannot_hold_is_refused():
    with pytest.raises(InvalidInput, match="cannot transfer a set value"):
        encode(({1},))


def test_every_table_belongs_to_a_context_so_no_table_is_left_behind():
    owned = {name for names in CONTEXTS.values() for name in names}
    assert owned == set(metadata.tables)
    assert table_names() == table_names(list(CONTEXTS))
    with pytest.raises(InvalidInput, match="unknown context nope"):
        table_names(["nope"])
