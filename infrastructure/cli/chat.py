"""`memcore chat`: conversations and their messages (start, post, show, list, archive, delete)."""

import sys
from typing import Annotated

import typer

from memcore.application.conversations import commands
from memcore.domain.conversations.model import SENDER_TYPES, STATUSES
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.cli.common import JsonOption, UrlOption, json_object, open_services
from memcore.infrastructure.cli.output import console, print_json, print_record, print_table

app = typer.Typer(help="Conversations of a chatbot and the messages posted to them.", no_args_is_help=True)
LIST_COLUMNS = ["id", "title", "status", "user_id", "updated_at", "version"]
MESSAGE_COLUMNS = ["sequence", "created_at", "sender_type", "content", "role_metadata"]

Limit = Annotated[int, typer.Option(min=0)]
Offset = Annotated[int, typer.Option(min=0)]


def _choice(option: str, value: str | None, choices: tuple[str, ...]) -> str | None:
    if value is not None and value not in choices:
        raise InvalidInput(f"{option} takes {' | '.join(choices)}, not {value!r}")
    return value


@app.command()
def start(
    user: Annotated[str | None, typer.Option(help="The user's id (none: an anonymous conversation)")] = None,
    title: Annotated[str | None, typer.Option()] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Start a conversation."""
    with open_services(url) as services:
        view = services.bus.handle(commands.StartConversation(user_id=user, title=title))
    print_json(view.to_dict()) if as_json else console.print(f"started conversation {view.id}", markup=False)


@app.command()
def post(
    conversation_id: str,
    content: Annotated[str, typer.Argument(help="The message; - reads it from standard input")],
    sender: Annotated[str, typer.Option(help=" | ".join(SENDER_TYPES))] = "user",
    metadata: Annotated[str | None, typer.Option(help="A JSON object: tool calls, token counts, ...")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Post a message to a conversation (refused once it is archived)."""
    _choice("--sender", sender, SENDER_TYPES)
    text = sys.stdin.read() if content == "-" else content
    command = commands.PostMessage(conversation_id, sender, text, json_object("--metadata", metadata))
    with open_services(url) as services:
        view = services.bus.handle(command)
    if as_json:
        print_json(view.to_dict())
    else:
        console.print(f"posted message {view.id} (#{view.sequence}) to {conversation_id}", markup=False)


@app.command()
def show(
    conversation_id: str,
    limit: Limit = 50,
    offset: Offset = 0,
    sender: Annotated[str | None, typer.Option(help="Only this sender type")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """A conversation and a page of its messages, oldest first."""
    _choice("--sender", sender, SENDER_TYPES)
    with open_services(url) as services:
        view = services.conversations.get(conversation_id)
        if view is None:
            raise NotFound(f"no conversation with id {conversation_id!r}")
        messages = [m.to_dict() for m in services.conversations.messages(conversation_id, limit, offset, sender)]
        total = services.conversations.count_messages(conversation_id)
    if as_json:
        print_json({**view.to_dict(), "message_count": total, "messages": messages})
        return
    print_record(f"conversation {conversation_id}", {**view.to_dict(), "message_count": total})
    shown = f"{offset + 1}-{offset + len(messages)}" if messages else "none"
    print_table(f"messages {shown} of {total}", MESSAGE_COLUMNS, messages)


@app.command("list")
def list_(
    user: Annotated[str | None, typer.Option(help="Only this user's conversations")] = None,
    status: Annotated[str | None, typer.Option(help=" | ".join(STATUSES))] = None,
    limit: Limit = 20,
    offset: Offset = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Conversations, newest first."""
    _choice("--status", status, STATUSES)
    with open_services(url) as services:
        if user is not None:
            views = services.conversations.list_for_user(user, status, limit, offset)
        else:
            views = services.conversations.list_all(limit, offset, status)
    rows = [view.to_dict() for view in views]
    print_json(rows) if as_json else print_table(f"{len(rows)} conversation(s)", LIST_COLUMNS, rows)


@app.command()
def archive(conversation_id: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Archive a conversation: no more messages can be posted to it (archiving twice is harmless)."""
    with open_services(url) as services:
        view = services.bus.handle(commands.ArchiveConversation(conversation_id))
    print_json(view.to_dict()) if as_json else console.print(f"archived conversation {view.id}", markup=False)


@app.command()
def delete(conversation_id: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Delete a conversation and its messages."""
    with open_services(url) as services:
        deleted = services.bus.handle(commands.DeleteConversation(conversation_id))
    if not deleted:
        raise NotFound(f"no conversation with id {conversation_id!r}")
    if as_json:
        print_json({"deleted": conversation_id})
    else:
        console.print(f"deleted conversation {conversation_id}", markup=False)
