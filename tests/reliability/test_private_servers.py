"""The private fault servers belong to one test run at a time."""

from __future__ import annotations

import pytest

from tests.reliability.servers import claim


def test_a_second_run_on_the_same_servers_directory_fails_at_once(tmp_path):
    with claim(tmp_path), pytest.raises(RuntimeError, match="MEMCORE_FAULT_DIR"):
        claim(tmp_path)
    claim(tmp_path).close()  # released when the first run ends
