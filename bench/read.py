"""Reading an upload alone (app.exchange.files.read), as a ratio to openpyxl reading the same
workbook: the part of issue 10's budget (an import within 5x the reference) that reading uses.

No database: the files are built here, 10,000 rows by default, each read three times (medians):

- tasks.xlsx: bench/import.py's workbook shape (its nine columns, half the rows with an id and a
  version, half new), against the reference of bench/import.py (`openpyxl_read`);
- matrix.xlsx: a plan matrix as a coordinator writes it, Indonesian headers, each strategy's
  cells merged down its rows and each key intervention's down its tasks;
- the task export's CSV and the matrix's CSV, against the csv module alone reading the text.

    .venv/bin/python bench/read.py
    .venv/bin/python bench/read.py --rows 20000 --profile matrix.xlsx
"""

import argparse
import cProfile
import csv
import io
import pstats
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.exchange import export, files  # noqa: E402
from app.exchange.matrix_columns import MATRIX_KEYS, headers  # noqa: E402

TASK_COLUMNS = [
    *("id", "version", "commitment", "title", "description", "priority", "due_date"),
    *("lead_owner", "support_owners"),
]
LIMITS = files.Limits(max_rows=50_000, max_unpacked_bytes=52_428_800)
ORGANISATIONS = [f"KL-{n:02}" for n in range(20)]
TASKS_PER_COMMITMENT = 10
COMMITMENTS_PER_STRATEGY = 20


def task_rows(rows: int) -> list[list[Any]]:
    """bench/import.py's rows: half update tasks (id, version), half create them."""
    today = date(2026, 12, 7)
    out: list[list[Any]] = []
    for n in range(rows):
        org, other = ORGANISATIONS[n % 20], ORGANISATIONS[(n + 1) % 20]
        if n < rows // 2:
            out.append(
                [
                    *(str(uuid.uuid4()), 3, "", f"Task {n} (revised)", None, "high"),
                    *(today + timedelta(days=n % 300), org, f"{other};{org}"),
                ]
            )
        else:
            out.append(
                [
                    *(None, None, f"{n % 40 + 1}.{n % 7 + 1}", f"Imported task {n}"),
                    *("Made by the import bench", "medium", today + timedelta(days=30 + n % 300)),
                    *(org, other),
                ]
            )
    return out


def tasks_xlsx(rows: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("tasks")
    sheet.append(TASK_COLUMNS)
    for row in task_rows(rows):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def matrix_rows(rows: int) -> list[list[Any]]:
    """Every cell of a plan matrix, annex columns repeated on each task row."""
    out: list[list[Any]] = []
    start = date(2026, 1, 5)
    for n in range(rows):
        commitment = n // TASKS_PER_COMMITMENT
        strategy = commitment // COMMITMENTS_PER_STRATEGY
        org = ORGANISATIONS[commitment % 20]
        annex = [
            *(f"S{strategy + 1}", f"Strategi perlindungan anak daring nomor {strategy + 1}"),
            *(f"Fokus {strategy + 1}", f"S{strategy + 1}.{commitment + 1}"),
            *(f"Intervensi kunci {commitment + 1}", "Regulasi tersusun", 2027, org),
            *(f"Kementerian {org}", f"{ORGANISATIONS[(commitment + 1) % 20]}; KL-00"),
            "Kementerian lain; Kementerian nol",
        ]
        task = [
            *(None, f"Kegiatan {n}", org, ORGANISATIONS[(n + 3) % 20], None, "Belum mulai"),
            *(n % 101, start + timedelta(days=n % 90), start + timedelta(days=90 + n % 300)),
            *(0, None, None),
        ]
        out.append(annex + task)
    return out


def matrix_xlsx(rows: int) -> bytes:
    """The annex cells written once per group and merged down it, as coordinators do."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Matriks"
    sheet.append(headers("id"))
    for n, row in enumerate(matrix_rows(rows)):
        first_of_strategy = n % (TASKS_PER_COMMITMENT * COMMITMENTS_PER_STRATEGY) == 0
        first_of_commitment = n % TASKS_PER_COMMITMENT == 0
        sheet.append(
            [
                None if index < 3 and not first_of_strategy else cell
                for index, cell in enumerate(row)
            ]
            if first_of_commitment
            else [None] * 11 + row[11:]
        )
    strategy_rows = TASKS_PER_COMMITMENT * COMMITMENTS_PER_STRATEGY
    for top in range(2, rows + 2, TASKS_PER_COMMITMENT):
        bottom = min(top + TASKS_PER_COMMITMENT - 1, rows + 1)
        for letter in "DEFGHIJK":
            sheet.merge_cells(f"{letter}{top}:{letter}{bottom}")
    for top in range(2, rows + 2, strategy_rows):
        bottom = min(top + strategy_rows - 1, rows + 1)
        for letter in "ABC":
            sheet.merge_cells(f"{letter}{top}:{letter}{bottom}")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def tasks_csv(rows: int) -> bytes:
    """The task export's CSV (export.to_csv) of as many rows."""
    updated = datetime(2026, 12, 7, 3, tzinfo=UTC)
    table = (
        [
            *(row[0], "RAN-2026", "P1", row[2] or "1.1", row[3], row[4], "not_started", 0),
            *(row[5], None, row[6], "on_track", row[7], row[8], None, row[1] or 1, updated, 0),
        ]
        for row in task_rows(rows)
    )
    return export.to_csv(table)


def matrix_csv(rows: int) -> bytes:
    """The matrix export's CSV: `;` between cells, every row complete."""
    buffer = io.StringIO()
    buffer.write(export.BOM)
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers("id"))
    writer.writerows([export.csv_text(value) for value in row] for row in matrix_rows(rows))
    return buffer.getvalue().encode()


def openpyxl_read(data: bytes) -> None:
    """bench/import.py's reference: read-only, cached values, every value of the first sheet."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    for row in book.worksheets[0].iter_rows(values_only=True):
        for _value in row:
            pass
    book.close()


def csv_read(data: bytes) -> None:
    """The csv module alone over the decoded text, the CSV's yardstick."""
    text = data.decode("utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > 1 else ","
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        for _value in row:
            pass


def ours(data: bytes, content_type: str, expected: int) -> Callable[[], None]:
    def run() -> None:
        table = files.read(files.Upload(data, content_type), LIMITS)
        assert len(table.rows) == expected, len(table.rows)

    return run


def timed(run: Callable[[], None], times: int = 3) -> float:
    took = []
    for _ in range(times):
        started = time.process_time()
        run()
        took.append(time.process_time() - started)
    return statistics.median(took)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=10_000, help="rows of each file")
    parser.add_argument("--profile", help="profile files.read of one case (cProfile, top 25)")
    parser.add_argument("cases", nargs="*", help="the cases to time (all by default)")
    args = parser.parse_args()
    builders: dict[str, tuple[Callable[[int], bytes], str, Callable[[bytes], None]]] = {
        "tasks.xlsx": (tasks_xlsx, export.XLSX_TYPE, openpyxl_read),
        "matrix.xlsx": (matrix_xlsx, export.XLSX_TYPE, openpyxl_read),
        "tasks.csv": (tasks_csv, "text/csv", csv_read),
        "matrix.csv": (matrix_csv, "text/csv", csv_read),
    }
    wanted = [args.profile] if args.profile else args.cases or list(builders)
    cases = {
        name: (build(args.rows), content_type, reference)
        for name, (build, content_type, reference) in builders.items()
        if name in wanted
    }
    assert len(MATRIX_KEYS) == len(matrix_rows(1)[0])
    if args.profile:
        data, content_type, _ = cases[args.profile]
        profiler = cProfile.Profile()
        profiler.runcall(ours(data, content_type, args.rows))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    print(f"{args.rows:,} rows; medians of 3, CPU time of this process")
    for name, (data, content_type, reference) in cases.items():
        base = timed(partial(reference, data))
        read = timed(ours(data, content_type, args.rows))
        what = "openpyxl" if reference is openpyxl_read else "csv module"
        print(
            f"  {name:12} {len(data) / 1e6:5.2f} MB  {what} {base:5.2f} s  "
            f"files.read {read:5.2f} s  {read / base:5.2f}x"
        )


if __name__ == "__main__":
    main()
