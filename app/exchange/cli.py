"""`pantau import FILE [--dry-run]`: the import of POST /imports, run by the system."""

from pathlib import Path
from typing import Any

import typer

from app.clock import SystemClock, today_of
from app.config import get_settings
from app.db import make_engine
from app.errors import AppError
from app.exchange import files, service
from app.exchange.schemas import ImportReport, MatrixReport
from app.i18n import translate
from app.models import Role, User


def system_actor() -> User:
    """Who the history names for a command-line import: no user (id null), as for the
    catalogue loader; an admin's rights, since whoever runs it has the database already."""
    unsaved: dict[str, Any] = {"id": None, "name": "pantau import", "role": Role.admin}
    return User.model_construct(**unsaved)  # never added to a session


def run(path: Path, *, dry_run: bool, plan: str | None = None) -> int:
    """The exit status: 0 when imported (or, with dry_run, importable), 1 otherwise."""
    try:
        upload = files.Upload(path.read_bytes(), files.GENERIC_TYPE, path.name)
    except OSError as error:
        typer.echo(f"import failed: cannot read {path}: {error.strerror}", err=True)
        return 1
    try:
        report = _import(upload, dry_run=dry_run, plan=plan)
    except AppError as error:
        _print_refusal(error)
        return 1
    _print_report(report)
    return 0


def _import(
    upload: files.Upload, *, dry_run: bool, plan: str | None
) -> ImportReport | MatrixReport:
    settings = get_settings()
    clock = SystemClock()
    table = files.read(
        upload, files.Limits(settings.import_max_rows, settings.import_max_unpacked_bytes)
    )
    engine = make_engine(settings.database_url)
    try:
        today = today_of(clock, settings)
        return service.run(
            engine,
            table,
            actor=system_actor(),
            dry_run=dry_run,
            locale="en",
            now=clock.now(),
            today=today,
            plan=plan,
        )
    finally:
        engine.dispose()


def _print_refusal(error: AppError) -> None:
    detail = translate(error.detail or error.title, "en", **error.params)
    typer.echo(f"import failed: {detail}", err=True)
    for item in error.errors or []:
        where = f"row {item['row']}, " if "row" in item else ""
        typer.echo(f"  {where}{item['field']}: {item['message']}", err=True)


def _print_report(report: ImportReport | MatrixReport) -> None:
    for row in report.rows:
        parts = {name: getattr(row, name, None) for name in ("strategy", "commitment", "task")}
        detail = ", ".join(f"{name} {action.value}" for name, action in parts.items() if action)
        line = f"row {row.row}: {row.action.value} {row.id or ''}".rstrip()
        typer.echo(f"{line} ({detail})" if detail else line)
    prefix = "dry run, nothing written: " if report.dry_run else "imported: "
    typer.echo(
        f"{prefix}{report.created} created, {report.updated} updated, {report.unchanged} unchanged"
    )
