"""`python -m app …` and `pantau …`: the commands scripts, cron and CI rely on."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from app.clock import SystemClock
from app.config import get_settings
from app.db import make_engine, unit_of_work
from app.errors import AppError
from app.i18n import translate
from app.models import Role

cli = typer.Typer(no_args_is_help=True, add_completion=False, help="Pantau command line.")
token_cli = typer.Typer(no_args_is_help=True, help="API tokens.")
cli.add_typer(token_cli, name="token")
catalogue_cli = typer.Typer(no_args_is_help=True, help="The catalogue of plans and commitments.")
cli.add_typer(catalogue_cli, name="catalogue")


@catalogue_cli.command("load")
def load_catalogue(
    file: Annotated[
        str | None,
        typer.Argument(
            help="A catalogue YAML file, or a shipped one by name (pp-17-2025, "
            "perpres-101-2022); default: the starter"
        ),
    ] = None,
) -> None:
    """Load the starter catalogue (or FILE) idempotently; prints what it created and updated."""
    from app.catalogue import service as catalogue

    engine = make_engine(get_settings().database_url)
    try:
        parsed = catalogue.parse(catalogue.path_of(file))
        with unit_of_work(engine) as session:
            report = catalogue.load(session, parsed, now=SystemClock().now())
    except catalogue.CatalogueError as error:
        typer.echo(f"catalogue not loaded: {error}", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    for kind, counts in report.items():
        typer.echo(
            f"{kind}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged"
        )


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
    except (AppError, ValidationError) as error:
        typer.echo(f"token not created: {_explain(error)}", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    typer.echo(f"created a token for {name} ({role.value}); it is shown once:")
    typer.echo(secret)


signin_cli = typer.Typer(no_args_is_help=True, help="Sign-in links for the pages.")
cli.add_typer(signin_cli, name="sign-in")


@signin_cli.command("link")
def sign_in_link(
    email: Annotated[str, typer.Argument(help="The person's e-mail address")],
    next_path: Annotated[str, typer.Option("--next", help="The page to open after")] = "/",
) -> None:
    """Print a one-time sign-in link for the person (valid for PANTAU_SIGN_IN_LINK_MINUTES)."""
    from app.signin import mail as signin_mail
    from app.signin import service as signin

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            user = signin.active_user(session, email)
            if user is None:
                typer.echo(f"no active user has the address {email}", err=True)
                raise typer.Exit(1)
            secret = signin.link_for(session, user, now=SystemClock().now(), settings=settings)
    finally:
        engine.dispose()
    typer.echo(f"a sign-in link for {user.name}, valid once:")
    typer.echo(signin_mail.link_url(settings, secret, next_path))


def _explain(error: AppError | ValidationError) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
    if error.errors:
        return "; ".join(f"{e['field']}: {e['message']}" for e in error.errors)
    return translate(error.detail or error.title, "en", **error.params)


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes")] = 1,
    reminders: Annotated[
        bool | None,
        typer.Option(
            "--reminders/--no-reminders",
            help="Run the reminder worker in this process (default: on SQLite, unless "
            "PANTAU_SERVE_WORKER=false)",
        ),
    ] = None,
) -> None:
    """Serve the API and the pages with uvicorn; on the embedded default (SQLite) the reminder
    worker runs beside them, so one command runs everything. With several workers, /metrics
    adds up all of theirs: they keep them in PROMETHEUS_MULTIPROC_DIR (a directory of this
    run's own unless set)."""
    import uvicorn

    settings = get_settings()
    beside = reminders if reminders is not None else settings.is_sqlite and settings.serve_worker
    with _metrics_directory(workers), _reminder_worker(beside):
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            access_log=False,
        )


@contextmanager
def _reminder_worker(wanted: bool) -> Iterator[None]:
    """The reminder worker's loop in a thread of this process, stopped when serving ends."""
    import threading

    from app import worker as loop

    if not wanted:
        yield
        return
    from app.ops.logging import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)  # before the app, which does too
    stop = threading.Event()
    engine = make_engine(settings.database_url)
    thread = threading.Thread(
        target=loop.run, args=(engine, settings, SystemClock(), stop), name="reminders"
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        engine.dispose()


@contextmanager
def _metrics_directory(workers: int) -> Iterator[None]:
    """prometheus_client's multiprocess mode for the worker processes, which inherit the
    variable: a given directory is emptied first, as the mode requires; a made one is removed."""
    import os
    import shutil
    import tempfile

    from app.ops.collector import MULTIPROCESS_DIR

    given = os.environ.get(MULTIPROCESS_DIR)
    if workers < 2 and given is None:
        yield
        return
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="pantau-metrics-"))
    for stale in directory.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = str(directory)
    try:
        yield
    finally:
        if given is None:
            shutil.rmtree(directory, ignore_errors=True)


reminders_cli = typer.Typer(no_args_is_help=True, help="Deadline reminders and webhooks.")
cli.add_typer(reminders_cli, name="reminders")


@cli.command()
def worker() -> None:
    """Run reminders and webhook deliveries in a loop until SIGTERM or SIGINT."""
    from app import worker as loop

    loop.main(get_settings())


@reminders_cli.command("run")
def run_reminders(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit")] = False,
    now: Annotated[
        str | None, typer.Option(help="The pass's instant, ISO 8601 with a zone (--once only)")
    ] = None,
) -> None:
    """One pass with --once: schedules what is due at NOW and delivers what is pending."""
    from app import worker as loop

    if not once:
        if now is not None:
            raise typer.BadParameter("--now needs --once", param_hint="--now")
        loop.main(get_settings())
        return
    try:
        at = loop.parse_instant(now) if now else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--now") from error
    tally = loop.run_pass(get_settings(), at)
    typer.echo(", ".join(f"{name} {tally[name]}" for name in loop.SUMMARY))


summary_cli = typer.Typer(no_args_is_help=True, help="The dashboard's summary.")
cli.add_typer(summary_cli, name="summary")


@summary_cli.command("recount")
def recount_summary() -> None:
    """Count the summary's rollup from the tasks again: after a bulk load or a repair in SQL,
    which the rollup (kept by the API's writes) cannot follow."""
    from app.clock import today_of
    from app.dashboard import tally

    settings = get_settings()
    engine = make_engine(settings.database_url)
    try:
        with unit_of_work(engine) as session:
            tally.recount(session, today_of(SystemClock(), settings))
    finally:
        engine.dispose()
    typer.echo("summary recounted")


@cli.command("import")
def import_tasks(
    file: Annotated[
        str, typer.Argument(help="A CSV or XLSX file: a task export's columns, or a plan matrix")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check and report only")] = False,
    plan: Annotated[
        str | None, typer.Option("--plan", help="A matrix's plan, unless a column names it")
    ] = None,
) -> None:
    """The same import as POST /imports; exits 1 and prints the row errors when it fails."""
    from app.exchange import cli as exchange

    raise typer.Exit(exchange.run(Path(file), dry_run=dry_run, plan=plan))


def main() -> None:
    from app.webhooks import service as webhooks

    webhooks.install()  # commands that change tasks (import) feed the webhook outbox too
    cli()
