"""`python -m app …` and `pantau …`: the commands scripts, cron and CI rely on."""

from typing import Annotated

import typer

from app.clock import SystemClock
from app.config import get_settings
from app.db import make_engine, unit_of_work
from app.models import Role

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Pantau command line.")
token_cli = typer.Typer(no_args_is_help=True, help="API tokens.")
cli.add_typer(token_cli, name="token")


@cli.command()
def migrate() -> None:
    """Bring the configured database to the latest schema (alembic upgrade head)."""
    from app import migrate as migrations

    migrations.upgrade(get_settings().database_url)
    typer.echo("database at head")


@token_cli.command("create")
def create_token(
    role: Annotated[Role, typer.Option(help="admin, coordinator, contributor or viewer")],
    name: Annotated[str, typer.Option(help="The person's name")],
    organisation: Annotated[str | None, typer.Option(help="Organisation code")] = None,
    email: Annotated[str | None, typer.Option(help="E-mail for reminders")] = None,
) -> None:
    """Create a user with a token; the token is printed alone on the last line."""
    from app.users import service as users

    engine = make_engine(get_settings().database_url)
    try:
        with unit_of_work(engine) as session:
            secret = users.create_with_token(
                session,
                role=role,
                name=name,
                organisation_ref=organisation,
                email=email,
                now=SystemClock().now(),
            )
    finally:
        engine.dispose()
    typer.echo(f"created a {role.value} token for {name}; it is shown once:")
    typer.echo(secret)


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
) -> None:
    """Serve the API with uvicorn."""
    import uvicorn

    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        access_log=False,
    )


def main() -> None:
    cli()
