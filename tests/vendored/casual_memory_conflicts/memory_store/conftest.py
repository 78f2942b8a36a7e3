"""The in-memory store's tests run on memcore's fake: named `memory` in the per-adapter summary."""

import pytest


@pytest.fixture(autouse=True, params=["memory"])
def adapter(request: pytest.FixtureRequest) -> str:
    return request.param
