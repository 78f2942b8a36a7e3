"""`memcore conflicts`: record, inspect and settle memory conflicts."""

import json
from typing import Annotated, Any

import typer

from memcore.application.conflicts import commands
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.cli.common import JsonOption, UrlOption, open_services
from memcore.infrastructure.cli.output import console, print_json, print_record, print_table

app = typer.Typer(help="Conflicts between two memories of a user.", no_args_is_help=True)

LIST_COLUMNS = ["id", "category", "memory_a_id", "memory_b_id", "avg_importance", "similarity_score", "status"]


def _metadata(text: str | None) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"--metadata is not valid JSON: {exc.msg}") from None
    if not isinstance(value, dict):
        raise InvalidInput("--metadata must be a JSON object")
    return value


@app.command()
def add(
    user: Annotated[str, typer.Option(help="The user both memories belong to")],
    memory_a: Annotated[str, typer.Option("--memory-a")],
    memory_b: Annotated[str, typer.Option("--memory-b")],
    category: Annotated[str, typer.Option()],
    similarity: Annotated[float, typer.Option(help="0.0-1.0")],
    importance: Annotated[float, typer.Option(help="Average importance of the two memories, 0.0-1.0")],
    hint: Annotated[str | None, typer.Option(help="How to ask the user to clarify")] = None,
    singleton: Annotated[bool, typer.Option(help="The category holds one value per user")] = False,
    conflict_id: Annotated[str | None, typer.Option("--id", help="Default: a new UUID")] = None,
    metadata: Annotated[str | None, typer.Option(help="A JSON object")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Record a conflict between two memories."""
    command = commands.RecordConflict(
        id=conflict_id,
        user_id=user,
        memory_a_id=memory_a,
        memory_b_id=memory_b,
        category=category,
        similarity_score=similarity,
        avg_importance=importance,
        clarification_hint=hint,
        is_singleton_category=singleton,
        metadata=_metadata(metadata),
    )
    with open_services(url) as services:
        new_id = services.bus.handle(command)
    print_json({"id": new_id}) if as_json else console.print(f"recorded conflict {new_id}")


@app.command()
def show(conflict_id: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Show one conflict."""
    with open_services(url) as services:
        view = services.get_conflict(conflict_id)
    if view is None:
        raise NotFound(f"no conflict with id {conflict_id!r}")
    print_json(view.to_dict()) if as_json else print_record(f"conflict {conflict_id}", view.to_dict())


@app.command()
def pending(
    user: str,
    limit: Annotated[int | None, typer.Option(min=0)] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """A user's pending conflicts, most important first."""
    with open_services(url) as services:
        views = services.pending_conflicts(user, limit=limit)
    rows = [view.to_dict() for view in views]
    print_json(rows) if as_json else print_table(f"pending conflicts of {user}", LIST_COLUMNS, rows)


@app.command()
def resolve(
    conflict_id: str,
    decision: Annotated[str, typer.Option(help="keep_a | keep_b | merge | both_valid")],
    by: Annotated[str, typer.Option(help="The user id who decided, or 'system'")] = "system",
    resolution_type: Annotated[str, typer.Option("--type", help="manual | automated | conversational")] = "manual",
    notes: str | None = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Resolve a conflict."""
    command = commands.ResolveConflict(
        conflict_id=conflict_id, decision=decision, resolution_type=resolution_type, resolved_by=by, notes=notes
    )
    with open_services(url) as services:
        winner = services.bus.handle(command)
    result = {"id": conflict_id, "status": "resolved", "winning_memory_id": winner}
    print_json(result) if as_json else console.print(f"resolved {conflict_id}; winner: {winner or 'none'}")


@app.command()
def escalate(conflict_id: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Escalate a conflict to a human."""
    with open_services(url) as services:
        attempts = services.bus.handle(commands.EscalateConflict(conflict_id))
    result = {"id": conflict_id, "status": "escalated", "resolution_attempts": attempts}
    print_json(result) if as_json else console.print(f"escalated {conflict_id} after {attempts} attempt(s)")


@app.command()
def fail(conflict_id: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Record a failed clarification attempt (escalates after too many)."""
    with open_services(url) as services:
        status = services.bus.handle(commands.RecordFailedAttempt(conflict_id))
    print_json({"id": conflict_id, "status": status}) if as_json else console.print(f"{conflict_id} is {status}")


@app.command()
def count(
    user: str,
    status: Annotated[str | None, typer.Option(help="pending | resolved | escalated")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Count a user's conflicts."""
    with open_services(url) as services:
        total = services.count_conflicts(user, status)
    print_json({"user_id": user, "status": status, "count": total}) if as_json else console.print(str(total))


@app.command()
def clear(
    user: str,
    status: Annotated[str | None, typer.Option(help="Only conflicts in this status")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a user's conflicts."""
    with open_services(url) as services:
        removed = services.bus.handle(commands.ClearUserConflicts(user, status))
    print_json({"user_id": user, "removed": removed}) if as_json else console.print(f"removed {removed} conflict(s)")
