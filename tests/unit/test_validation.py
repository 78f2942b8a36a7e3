"""The shared value checks: what every dialect can store is accepted, anything else is InvalidInput."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from memcore.domain.shared.errors import InvalidInput
from memcore.domain.shared.validation import check_id, check_json_object, check_text, check_unit_interval, check_utc


def test_text_with_a_lone_surrogate_is_refused():
    with pytest.raises(InvalidInput, match="surrogate"):
        check_text("hint", "bad \ud800 text")


def test_full_unicode_text_is_accepted_unchanged():
    text = "naïve 日本語 🚀"
    assert check_text("hint", text) == text


def test_an_id_must_not_be_empty_but_plain_text_may_be():
    assert check_text("hint", "") == ""
    with pytest.raises(InvalidInput, match="empty"):
        check_id("id", "")


def test_a_huge_integer_score_is_refused_as_invalid_input():
    with pytest.raises(InvalidInput):
        check_unit_interval("similarity_score", 10**400)


def test_datetimes_before_the_year_1000_are_refused_and_9999_is_accepted():
    with pytest.raises(InvalidInput, match="years"):
        check_utc("created_at", datetime(999, 12, 31, tzinfo=UTC))
    latest = datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC)
    assert check_utc("created_at", latest) == latest


def test_an_aware_datetime_pushed_below_the_year_1000_by_utc_conversion_is_refused():
    with pytest.raises(InvalidInput, match="years"):
        check_utc("created_at", datetime(1000, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=1))))


@pytest.mark.parametrize(("edge", "hours"), [(datetime.max, -5), (datetime.min, 5)], ids=["max-5h", "min+5h"])
def test_a_datetime_leaving_the_representable_range_in_utc_is_refused_as_invalid_input(edge, hours):
    with pytest.raises(InvalidInput):
        check_utc("created_at", edge.replace(tzinfo=timezone(timedelta(hours=hours))))


def test_a_json_object_is_returned_as_an_independent_copy():
    original = {"nested": {"list": [1, "two", None]}, "big": 2**53}
    checked = check_json_object("metadata", original)
    assert checked == original
    checked["nested"]["list"].append(3)
    assert original["nested"]["list"] == [1, "two", None]


def test_a_circular_json_object_is_refused():
    looped: dict = {}
    looped["self"] = looped
    with pytest.raises(InvalidInput):
        check_json_object("metadata", looped)


def test_a_plain_json_object_can_be_checked_in_place_and_anything_else_is_still_refused():
    plain = {"nested": {"list": [1, 2.5, "two", None, True]}}
    assert check_json_object("metadata", plain, copying=False) is plain
    for bad in ({"x": [float("nan")]}, {"x": {1: 2}}, {"x": object()}, {"pair": (1, 2)}):
        with pytest.raises(InvalidInput):
            check_json_object("metadata", bad, copying=False)
