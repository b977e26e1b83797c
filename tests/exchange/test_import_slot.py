"""An import is received and read before it takes a database write slot: a served process with
one write slot answers another client's write while an upload is still arriving."""

import socket
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.exchange.export import XLSX_TYPE
from tests.exchange import bombs
from tests.exchange.support import API
from tests.ops.server import serve
from tests.tasks.support import task_body, world

pytestmark = pytest.mark.slow

WAIT = 20.0  # seconds: far beyond a write's time, short of a stuck run


def _start_upload(url: str, headers: dict[str, str], body: bytes) -> socket.socket:
    """A POST /imports whose headers and first half of the body are sent, the rest held."""
    host, port = url.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=WAIT)
    lines = [
        f"POST {API}/imports HTTP/1.1",
        f"Host: {host}",
        f"Content-Type: {XLSX_TYPE}",
        f"Content-Length: {len(body)}",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body[: len(body) // 2])
    return connection


def _finish_upload(connection: socket.socket, body: bytes) -> int:
    with connection:
        connection.sendall(body[len(body) // 2 :])
        status_line = connection.makefile("rb").readline()
    return int(status_line.split()[1])


def test_a_write_completes_while_a_dimension_bomb_is_uploaded_and_refused(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    w = world(session)
    bomb = bombs.workbook(["title"], dimension="A1:XFD1048576", extra_xml=bombs.FAR_CELL)

    with serve(database_url, tmp_path, PANTAU_DB_CONCURRENCY="1") as server:
        upload = _start_upload(server.url, w.headers, bomb)
        write = httpx.post(
            f"{server.url}{API}/tasks", json=task_body(w), headers=w.headers, timeout=WAIT
        )
        refused = _finish_upload(upload, bomb)

    assert write.status_code == 201, write.text
    assert refused == 413
