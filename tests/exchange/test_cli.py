import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from tests.exchange.matrix_support import matrix_csv
from tests.exchange.support import API, csv_file, history_of, tasks_by_title, world
from tests.factories import make_task
from tests.ops.server import environment, pantau

pytestmark = pytest.mark.slow


def test_cli_import_creates_tasks_as_the_system(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    w = world(session)
    path = tmp_path / "tugas.csv"
    path.write_bytes(
        csv_file(
            {"commitment": w.commitment.code, "title": "Anak 🧒", "lead_owner": w.ministry.code}
        )
    )

    done = pantau("import", str(path), env=environment(database_url), cwd=tmp_path)

    created = tasks_by_title(session)["Anak 🧒"]
    assert done.stdout.splitlines() == [
        f"row 2: created {created.id}",
        "imported: 1 created, 0 updated, 0 unchanged",
    ]
    assert [(row.action, row.actor_id) for row in history_of(session, created.id)] == [
        ("created", None)
    ]


def test_cli_import_dry_run_writes_nothing(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    w = world(session)
    path = tmp_path / "tugas.csv"
    path.write_bytes(
        csv_file({"commitment": w.commitment.code, "title": "t", "lead_owner": w.ngo.code})
    )

    done = pantau("import", str(path), "--dry-run", env=environment(database_url), cwd=tmp_path)

    assert done.stdout.splitlines() == [
        "row 2: created",
        "dry run, nothing written: 1 created, 0 updated, 0 unchanged",
    ]
    assert tasks_by_title(session) == {}


def test_cli_import_with_row_errors_exits_1_and_prints_them(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    w = world(session)
    path = tmp_path / "tugas.csv"
    path.write_bytes(
        csv_file(
            {"commitment": w.commitment.code, "title": "good", "lead_owner": w.ngo.code},
            {"commitment": "NOPE", "title": "bad", "lead_owner": w.ngo.code, "progress": "x"},
        )
    )

    with pytest.raises(subprocess.CalledProcessError) as failed:
        pantau("import", str(path), env=environment(database_url), cwd=tmp_path)

    assert failed.value.returncode == 1
    assert failed.value.stderr.splitlines() == [
        "import failed: 1 row has errors, so nothing was imported: see errors.",
        "  row 3, progress: Not a whole number.",
    ]
    assert tasks_by_title(session) == {}


def test_cli_import_of_an_unreadable_file_exits_1(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "tugas.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

    with pytest.raises(subprocess.CalledProcessError) as failed:
        pantau("import", str(path), env=environment(database_url), cwd=tmp_path)

    assert failed.value.returncode == 1
    assert failed.value.stderr.strip() == (
        "import failed: This is an old Excel workbook (.xls): save it as .xlsx or as CSV UTF-8."
    )


def test_cli_import_of_an_api_export_reports_every_row_unchanged(
    database_url: str, client: TestClient, session: Session, tmp_path: Path
) -> None:
    w = world(session)
    for title in ("satu", "dua 🎯"):
        make_task(session, commitment=w.commitment, title=title, lead=w.ministry, support=[w.ngo])
    path = tmp_path / "tasks.xlsx"
    path.write_bytes(client.get(f"{API}/tasks.xlsx", headers=w.headers).content)

    done = pantau("import", str(path), env=environment(database_url), cwd=tmp_path)

    assert done.stdout.splitlines()[-1] == "imported: 0 created, 0 updated, 2 unchanged"


def test_cli_import_takes_a_plan_matrix_with_its_plan(
    database_url: str, db: Engine, session: Session, tmp_path: Path
) -> None:
    w = world(session)
    path = tmp_path / "matriks.csv"
    keys = ["commitment_code", "task", "lead_owner"]
    path.write_bytes(matrix_csv(keys, [[w.commitment.code, "Anak 🧒", w.ministry.code]]))

    done = pantau(
        "import", str(path), "--plan", w.plan.code, env=environment(database_url), cwd=tmp_path
    )

    created = tasks_by_title(session)["Anak 🧒"]
    assert done.stdout.splitlines() == [
        f"row 2: created {created.id} (commitment unchanged, task created)",
        "imported: 1 created, 0 updated, 0 unchanged",
    ]
