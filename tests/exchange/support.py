"""Shared arrangements of the exchange tests: a small catalogue, and files read and written."""

import csv
import io
from datetime import date
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from httpx import Response
from openpyxl import Workbook, load_workbook
from sqlmodel import Session, col, select

from app.changes import service as changes
from app.exchange.columns import COLUMNS
from app.exchange.export import XLSX_TYPE
from app.models import History, Task
from tests.tasks.support import World as World
from tests.tasks.support import world as world

API = "/api/v1"
TODAY = date(2026, 3, 2)  # NOW in Jakarta


def csv_records(content: bytes) -> list[dict[str, str]]:
    """The rows of a CSV export, by column; asserts the BOM and the exact header."""
    assert content.startswith(b"\xef\xbb\xbf")
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    header = next(reader)
    assert tuple(header) == COLUMNS
    return [dict(zip(header, row, strict=True)) for row in reader]


def xlsx_records(content: bytes) -> list[dict[str, Any]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = list(workbook["tasks"].iter_rows(values_only=True))
    workbook.close()
    assert rows[0] == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def csv_file(*rows: dict[str, Any]) -> bytes:
    """A CSV of the rows, with every column any of them has (no BOM: optional on import)."""
    columns = list(dict.fromkeys(name for row in rows for name in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, restval="", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_file(*rows: list[Any]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def post_import(
    client: TestClient,
    headers: dict[str, str],
    content: bytes,
    *,
    media_type: str = "text/csv",
    **params: Any,
) -> Response:
    response: Response = client.post(
        f"{API}/imports",
        content=content,
        params=params,
        headers={**headers, "Content-Type": media_type},
    )
    return response


def post_xlsx(client: TestClient, headers: dict[str, str], content: bytes, **params: Any) -> Any:
    return post_import(client, headers, content, media_type=XLSX_TYPE, **params)


def fresh(session: Session) -> Session:
    """The session with a new transaction and no cached rows: it sees what the app committed."""
    session.rollback()
    session.expire_all()
    return session


def tasks_by_title(session: Session) -> dict[str, Task]:
    fresh(session)
    return {task.title: task for task in session.exec(select(Task).order_by(col(Task.title)))}


def problem_rows(response: Response) -> list[tuple[int, str]]:
    assert response.status_code == 422, response.text
    return [(error["row"], error["field"]) for error in response.json()["errors"]]


def reloaded(session: Session, task_id: UUID) -> Task:
    """The task as the database has it now, not as the test session cached it."""
    task = fresh(session).get(Task, task_id)
    assert task is not None
    return task


def data_version(session: Session) -> int:
    version = changes.current_version(session)
    session.rollback()  # no open read transaction: later reads see the app's commits
    return version


def history_of(session: Session, entity_id: UUID) -> list[History]:
    fresh(session)
    statement = select(History).where(col(History.entity_id) == entity_id)
    return list(session.exec(statement.order_by(col(History.id))).all())


# A title an import must keep exactly: Indonesian, typographic quotes and an emoji.
INDONESIAN = "Pelatihan moderator konten 🛡️ — tahap “satu”"


def new_row(w: Any, **cells: Any) -> dict[str, Any]:
    """An import row creating a task under the world's commitment, led by its ministry."""
    row = {
        "commitment": w.commitment.code,
        "title": "Draft the reporting guideline",
        "lead_owner": w.ministry.code,
    }
    return {**row, **cells}
