"""A small LangGraph graph with an interrupt, and a command line that resumes it in a new process.

    python -m tests.integrations.graph_app URL THREAD_ID sync|async COUNTER_FILE

resumes the thread with the answer "Ada" on a fresh saver and prints the final state as JSON.
"""

import asyncio
import json
import operator
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt

from memcore.integrations.langgraph import AsyncMemcoreSaver, MemcoreSaver

QUESTION = "what is your name?"


class State(TypedDict):
    steps: Annotated[list[str], operator.add]
    answer: str
    counter: str


def _start(state: State) -> dict[str, Any]:
    return {"steps": ["start"]}


def _fast(state: State) -> dict[str, Any]:
    # Runs beside `ask` in one super-step; its write must survive the interrupt as a pending write,
    # so resuming never runs it again. The counter file records every run.
    with Path(state["counter"]).open("a") as counter:
        counter.write("fast\n")
    return {"steps": ["fast"]}


def _ask(state: State) -> dict[str, Any]:
    return {"answer": interrupt(QUESTION), "steps": ["ask"]}


def _greet(state: State) -> dict[str, Any]:
    return {"steps": [f"hello {state['answer']}"]}


def build(checkpointer: Any) -> Any:
    builder = StateGraph(State)
    for name, node in (("start", _start), ("fast", _fast), ("ask", _ask), ("greet", _greet)):
        builder.add_node(name, node)
    builder.add_edge(START, "start")
    builder.add_edge("start", "fast")
    builder.add_edge("start", "ask")
    builder.add_edge(["fast", "ask"], "greet")
    builder.add_edge("greet", END)
    return builder.compile(checkpointer=checkpointer)


def config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def resume_sync(url: str, thread_id: str) -> dict[str, Any]:
    with MemcoreSaver.from_conn_string(url) as saver:
        graph = build(saver)
        assert graph.get_state(config(thread_id)).next == ("ask",)
        return graph.invoke(Command(resume="Ada"), config(thread_id))


async def resume_async(url: str, thread_id: str) -> dict[str, Any]:
    async with AsyncMemcoreSaver.from_conn_string(url) as saver:
        graph = build(saver)
        assert (await graph.aget_state(config(thread_id))).next == ("ask",)
        return await graph.ainvoke(Command(resume="Ada"), config(thread_id))


if __name__ == "__main__":
    url, thread_id, twin = sys.argv[1:4]
    final = resume_sync(url, thread_id) if twin == "sync" else asyncio.run(resume_async(url, thread_id))
    print(json.dumps(final))
