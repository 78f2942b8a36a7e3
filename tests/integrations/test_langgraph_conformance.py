"""LangGraph's official checkpointer conformance suite, against both savers, on every dialect."""

import asyncio
from collections.abc import AsyncIterator

from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import Capability

from memcore.integrations.langgraph import AsyncMemcoreSaver, MemcoreSaver


def registered(url: str, twin: str):
    async def factory() -> AsyncIterator[object]:
        if twin == "sync":
            with MemcoreSaver.from_conn_string(url) as saver:
                yield saver
        else:
            async with AsyncMemcoreSaver.from_conn_string(url) as saver:
                yield saver

    return checkpointer_test(name=f"memcore-{twin}")(factory)


def test_every_capability_of_the_conformance_suite_passes(sql_url, twin, capsys):
    report = asyncio.run(validate(registered(sql_url, twin)))
    results = report.results
    assert set(results) == {capability.value for capability in Capability}
    failures = {name: result.failures for name, result in results.items() if result.tests_failed}
    assert failures == {}
    for name, result in results.items():
        assert result.detected, f"{name} not detected"
        assert result.passed is True and result.tests_skipped == 0 and result.tests_passed > 0, name
    with capsys.disabled():
        counts = ", ".join(f"{name} {result.tests_passed}" for name, result in results.items())
        print(f"\n  conformance {twin}: {sum(r.tests_passed for r in results.values())} passed ({counts})")
