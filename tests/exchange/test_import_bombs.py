"""Files that claim, or hold, far more rows and columns than a task list: the reader's work is
bounded by what it reads (MAX_COLUMNS columns, a budget of rows blank or not), and a refusal is
a 413 problem. Each request runs in a thread joined with a generous deadline, so that a reader
that trusts the file fails the test instead of hanging the run for an hour."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.exchange import bombs
from tests.exchange.support import World, post_import, post_xlsx, tasks_by_title, world

DEADLINE = 30.0  # seconds; the bounded reader answers these in milliseconds
HEADER = ["commitment", "title", "lead_owner"]
MAX_COLUMNS = 64  # app.exchange.files.MAX_COLUMNS, as the message states it
BUDGET = 50_100  # the default PANTAU_IMPORT_MAX_ROWS and the spare lines around the data


def _within_deadline(call: Any, *args: Any, **kwargs: Any) -> httpx.Response:
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        response: httpx.Response = pool.submit(call, *args, **kwargs).result(timeout=DEADLINE)
        return response
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _rows(w: World, count: int) -> list[list[Any]]:
    return [[w.commitment.code, f"task {n}", w.ministry.code] for n in range(count)]


def test_import_of_a_sheet_declaring_every_cell_with_one_far_cell_is_413_in_both_languages(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    bomb = bombs.workbook(HEADER, dimension="A1:XFD1048576", extra_xml=bombs.FAR_CELL)

    english = _within_deadline(post_xlsx, client, w.headers, bomb)
    indonesian = _within_deadline(post_xlsx, client, {**w.headers, "Accept-Language": "id"}, bomb)

    assert english.status_code == indonesian.status_code == 413
    assert english.headers["content-type"] == "application/problem+json"
    assert english.json()["detail"] == (
        f"The file has more than {BUDGET} rows, blank or not: split it, or delete the empty rows "
        "below the data."
    )
    assert indonesian.json()["detail"].startswith(f"Berkas berisi lebih dari {BUDGET} baris")
    assert tasks_by_title(session) == {}


def test_import_reads_a_sheet_by_its_cells_whatever_dimension_it_declares(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    huge = bombs.workbook(HEADER, *_rows(w, 2), dimension="A1:XFD1048576")
    tiny = bombs.workbook(HEADER, *_rows(w, 3), dimension="A1:C1")  # the data below is real

    from_huge = _within_deadline(post_xlsx, client, w.headers, huge, dry_run="true")
    from_tiny = _within_deadline(post_xlsx, client, w.headers, tiny, dry_run="true")

    assert from_huge.status_code == 200, from_huge.text
    assert from_huge.json()["created"] == 2
    assert from_tiny.json()["created"] == 3


def test_import_of_a_workbook_with_a_header_wider_than_the_known_columns_is_413(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    wide = bombs.workbook([*HEADER, *[None] * MAX_COLUMNS, "far"], dimension="A1:XFD1")

    response = _within_deadline(post_xlsx, client, w.headers, wide)

    assert response.status_code == 413
    assert response.json()["detail"] == (
        f"The file has more than {MAX_COLUMNS} columns: keep the columns of the export, and note."
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(
            ",".join(HEADER).encode() + b"\r\n" * 500_000, id="half a million blank lines"
        ),
        pytest.param(b"id," * 300_000 + b"title\r\n", id="a header of 300,000 columns"),
    ],
)
def test_import_of_a_csv_far_larger_than_a_task_list_is_413(
    client: TestClient, session: Session, content: bytes
) -> None:
    w = world(session)

    response = _within_deadline(post_import, client, w.headers, content)

    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert tasks_by_title(session) == {}


def test_a_matrix_merging_a_million_declared_rows_fills_only_the_rows_it_has(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    merges = '<mergeCells count="2"><mergeCell ref="A2:A1048576"/><mergeCell ref="B2:XFD3"/>'
    content = bombs.workbook(
        ["commitment_code", "focus", "task", "lead_owner"],
        [w.commitment.code, "Fokus", "satu", w.ministry.code],
        [None, None, "dua", w.ministry.code],
        dimension="A1:XFD1048576",
        after_data=merges + "</mergeCells>",
    )

    response = _within_deadline(post_xlsx, client, w.headers, content, plan=w.plan.code)

    assert response.status_code == 200, response.text
    assert sorted(tasks_by_title(session)) == ["dua", "satu"]
