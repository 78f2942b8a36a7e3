"""`placeholders` finds `[NOT] IN (:name)` lists by reading backwards, as the regex would forwards."""

import random
import re
import time

from memcore.infrastructure.sqlalchemy import sql_text

PIECES = ["IN", "in", "NOT", "not", " ", "\n", "(", ")", ":x", "a", "_", "JOIN", ",", "x", "nOt\t"]


def test_the_backwards_reading_agrees_with_the_regex():
    chance = random.Random(7)
    for _ in range(20_000):
        sql = "".join(chance.choice(PIECES) for _ in range(chance.randint(1, 12)))
        for colon in re.finditer(":", sql):
            found = sql_text._IN_BEFORE.search(sql, 0, colon.start())
            expected = None if found is None else (found.start(), bool(found.group(1)))
            assert sql_text._in_before(sql, colon.start()) == expected, sql


def test_a_long_multi_row_insert_is_parsed_in_linear_time():
    sql = "INSERT INTO t (a, b, c) VALUES " + ", ".join(f"(:a{i}, :b{i}, :c{i})" for i in range(3000))
    started = time.perf_counter()
    found = sql_text.placeholders(sql)
    assert len(found) == 9000 and not any(p.in_list for p in found)
    assert time.perf_counter() - started < 5  # reading from the start for each one took minutes
