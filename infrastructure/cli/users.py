"""`memcore users`: the chatbot's users (create, get, list, update, delete)."""

from typing import Annotated

import typer

from memcore.application.conversations import commands
from memcore.application.conversations.views import UserView
from memcore.domain.shared.errors import InvalidInput, NotFound
from memcore.infrastructure.cli.common import JsonOption, UrlOption, open_services
from memcore.infrastructure.cli.output import console, print_json, print_record, print_table

app = typer.Typer(help="Users of a chatbot: who talks to it, by external (auth) id or email.", no_args_is_help=True)
LIST_COLUMNS = ["id", "external_id", "name", "email", "created_at"]

Name = Annotated[str | None, typer.Option(help="Display name")]
Email = Annotated[str | None, typer.Option(help="Unique, compared case-insensitively")]
ExternalId = Annotated[str | None, typer.Option("--external-id", help="The user's id in the host's auth system")]


def _show(view: UserView, as_json: bool, said: str | None = None) -> None:
    if as_json:
        print_json(view.to_dict())
    elif said:
        console.print(f"{said} user {view.id}", markup=False)
    else:
        print_record(f"user {view.id}", view.to_dict())


@app.command()
def create(
    name: Name = None,
    email: Email = None,
    external_id: ExternalId = None,
    get_or_create: Annotated[
        bool, typer.Option("--get-or-create", help="Return the user with --external-id if there is one")
    ] = False,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a user (with --get-or-create: find it by --external-id first)."""
    with open_services(url) as services:
        if get_or_create:
            if external_id is None:
                raise InvalidInput("--get-or-create needs --external-id")
            view, created = services.bus.handle(commands.GetOrCreateUser(external_id, name=name, email=email))
        else:
            view, created = services.bus.handle(commands.CreateUser(external_id, name, email)), True
    if as_json:
        print_json({**view.to_dict(), "created": created})
    else:
        _show(view, False, "created" if created else "found")


@app.command()
def get(
    user_id: Annotated[str | None, typer.Argument(help="The user's id")] = None,
    email: Email = None,
    external_id: ExternalId = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show one user, by id, --email or --external-id."""
    given = [(name, value) for name, value in (("id", user_id), ("--email", email), ("--external-id", external_id))
             if value is not None]  # fmt: skip
    if len(given) != 1:
        raise InvalidInput("give exactly one of a user id, --email or --external-id")
    ((what, value),) = given
    with open_services(url) as services:
        if what == "id":
            view = services.users.get(value)
        elif what == "--email":
            view = services.users.get_by_email(value)
        else:
            view = services.users.get_by_external_id(value)
    if view is None:
        raise NotFound(f"no user with {'id' if what == 'id' else what.lstrip('-')} {value!r}")
    _show(view, as_json)


@app.command("list")
def list_(
    limit: Annotated[int, typer.Option(min=0)] = 20,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Users, oldest first."""
    with open_services(url) as services:
        rows = [view.to_dict() for view in services.users.list(limit=limit, offset=offset)]
        total = services.users.count()
    if as_json:
        print_json(rows)
    else:
        print_table(f"users {offset + 1 if rows else offset}-{offset + len(rows)} of {total}", LIST_COLUMNS, rows)


@app.command()
def update(
    user_id: str,
    name: Name = None,
    email: Email = None,
    external_id: ExternalId = None,
    clear: Annotated[
        list[str] | None, typer.Option(help="Clear a field: name, email or external_id (repeatable)")
    ] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a user's name, email or external id."""
    changes: dict[str, str | None] = {k: v for k, v in (("name", name), ("email", email),
                                                        ("external_id", external_id)) if v is not None}  # fmt: skip
    for field in clear or []:
        if field in changes:
            raise InvalidInput(f"{field} is both set and cleared")
        changes[field] = None
    if not changes:
        raise InvalidInput("nothing to change: give --name, --email, --external-id or --clear")
    with open_services(url) as services:
        view = services.bus.handle(commands.UpdateUser(user_id, changes))
    _show(view, as_json, "updated")


@app.command()
def delete(user_id: str, url: UrlOption = None, as_json: JsonOption = False) -> None:
    """Delete a user with their conversations and messages."""
    with open_services(url) as services:
        deleted = services.bus.handle(commands.DeleteUser(user_id))
    if not deleted:
        raise NotFound(f"no user with id {user_id!r}")
    print_json({"deleted": user_id}) if as_json else console.print(f"deleted user {user_id}", markup=False)
