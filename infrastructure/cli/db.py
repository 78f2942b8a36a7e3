"""`memcore db`: schema migrations, and moving a store between databases (cli/transfer.py)."""

import typer

from memcore.infrastructure.cli import transfer
from memcore.infrastructure.cli.common import UrlOption, open_container
from memcore.infrastructure.cli.output import console, err_console
from memcore.infrastructure.sqlalchemy import migrate

app = typer.Typer(help="Create, upgrade and check the database schema.", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("head"), url: UrlOption = None) -> None:
    """Apply migrations up to REVISION (default: head)."""
    with open_container(url) as container:
        migrate.upgrade(container.engine(), revision)
        console.print(f"{container.settings().masked_url} is at revision {migrate.current(container.engine())}")


@app.command()
def downgrade(revision: str = typer.Argument("base"), url: UrlOption = None) -> None:
    """Revert migrations down to REVISION (default: base, which drops memcore's tables)."""
    with open_container(url) as container:
        migrate.downgrade(container.engine(), revision)
        console.print(f"{container.settings().masked_url} is at revision {migrate.current(container.engine())}")


@app.command()
def current(url: UrlOption = None) -> None:
    """Print the revision the database is at."""
    with open_container(url) as container:
        console.print(migrate.current(container.engine()) or "none (not migrated)")


@app.command()
def check(url: UrlOption = None) -> None:
    """Exit non-zero unless the migrated schema matches the models exactly."""
    with open_container(url) as container:
        engine = container.engine()
        at, head = migrate.current(engine), migrate.head()
        differences = migrate.diff(engine)
        if at != head:
            err_console.print(f"database is at revision {at}, the code at {head}")
        for difference in differences:
            err_console.print(f"drift: {difference}")
        if at != head or differences:
            raise typer.Exit(1)
        console.print(f"schema matches the models (revision {head})")


app.command("export")(transfer.export)
app.command("import")(transfer.import_)
app.command("copy")(transfer.copy)
app.command("verify")(transfer.verify)
app.command("adopt")(transfer.adopt)
