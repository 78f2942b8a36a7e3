"""`memcore bench --workload langgraph`: both sides do the same work on every dialect, JSON out."""

from tests.e2e.cli import bench

PHASES = ["put", "put_writes", "get_tuple", "list", "async_put", "async_get_tuple",
          "store_put", "store_get", "store_search_filter", "store_search_text"]  # fmt: skip


def test_the_langgraph_workload_times_memcore_beside_langgraphs_own_savers(sql_url, capsys):
    report = bench(capsys, "langgraph", sql_url, rows=40)
    assert report["workload"] == "langgraph" and [p["name"] for p in report["phases"]] == PHASES
    peer = {"sqlite": "SqliteSaver", "postgresql": "PostgresSaver", "mariadb": "memcore again"}[report["dialect"]]
    assert peer in report["phases"][0]["note"]
    for phase in report["phases"]:
        assert phase["ours_ops_per_s"] > 0 and phase["raw_ops_per_s"] > 0
        if phase["name"] != "store_search_text":
            assert phase["target"]["min"] == 150.0
