"""POST /imports takes a plan matrix, the shape of the Perpres 87/2025 annex (issue 10): it
upserts the plan's strategies, commitments and tasks by their codes, all or nothing."""

import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlmodel import Session, col, select

from app.config import Settings
from app.exchange.export import XLSX_TYPE
from app.models import (
    Commitment,
    CommitmentOrganisation,
    History,
    Pillar,
    Role,
    Task,
    TaskStatus,
)
from tests.exchange.matrix_support import matrix_csv, matrix_xlsx
from tests.exchange.support import (
    API,
    data_version,
    fresh,
    post_import,
    post_xlsx,
    problem_rows,
    world,
)
from tests.factories import login, make_commitment, make_coordinator_of, make_plan, make_task

IMPORTS = f"{API}/imports"
KEYS = [
    "strategy_code",
    "strategy",
    "commitment_code",
    "commitment",
    "focus",
    "output",
    "target_year",
    "lead_organisation_code",
    "related_organisations",
    "task",
    "due_date",
]


def _annex(w: Any) -> list[list[Any]]:
    """Two commitments under one new strategy (merged down), three tasks."""
    return [
        [
            "S9",
            "Penguatan regulasi",
            "K-901",
            "Penyusunan pedoman moderasi",
            "Regulasi",
            "Pedoman terbit",
            2027,
            w.ministry.code,
            w.ngo.name_id,
            "Rancangan pedoman",
            "17/08/2027",
        ],
        [None, None, None, None, None, None, None, None, None, "Konsultasi publik", "17 Agt 2027"],
        [
            None,
            None,
            "K-902",
            "Pelatihan moderator",
            "Kapasitas",
            "Moderator terlatih",
            "2028",
            w.ngo.code,
            None,
            "Modul pelatihan",
            "1 Desember 2027",
        ],
    ]


def test_matrix_in_indonesian_with_merged_cells_creates_strategy_commitments_and_tasks(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = matrix_xlsx(
        KEYS,
        _annex(w),
        merges=("A3:A5", "B3:B5", "C3:C4", "D3:D4", "E3:E4", "F3:F4", "G3:G4", "H3:H4"),
        titles=("LAMPIRAN PERATURAN PRESIDEN NOMOR 87 TAHUN 2025",),
    )

    response = post_xlsx(client, w.headers, content, plan=w.plan.code)

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["kind"], report["plan"], report["created"]) == ("matrix", w.plan.code, 3)
    assert [(r["row"], r["strategy"], r["commitment"], r["task"]) for r in report["rows"]] == [
        (3, "created", "created", "created"),
        (4, "unchanged", "unchanged", "created"),
        (5, "unchanged", "created", "created"),
    ]
    fresh(session)
    pillar = session.exec(select(Pillar).where(col(Pillar.code) == "S9")).one()
    first = session.exec(select(Commitment).where(col(Commitment.code) == "K-901")).one()
    second = session.exec(select(Commitment).where(col(Commitment.code) == "K-902")).one()
    assert (pillar.plan_id, pillar.title_id) == (w.plan.id, "Penguatan regulasi")
    assert (first.pillar_id, second.pillar_id) == (pillar.id, pillar.id)
    assert (first.title_id, first.focus, first.output, first.target_year) == (
        "Penyusunan pedoman moderasi",
        "Regulasi",
        "Pedoman terbit",
        2027,
    )
    assert (first.lead_organisation_id, second.target_year) == (w.ministry.id, 2028)
    related = session.exec(
        select(CommitmentOrganisation.organisation_id).where(
            col(CommitmentOrganisation.commitment_id) == first.id
        )
    ).all()
    assert list(related) == [w.ngo.id]
    tasks = {task.title: task for task in session.exec(select(Task))}
    assert tasks["Rancangan pedoman"].due_date == date(2027, 8, 17)
    assert tasks["Konsultasi publik"].due_date == date(2027, 8, 17)
    assert tasks["Modul pelatihan"].due_date == date(2027, 12, 1)
    assert tasks["Modul pelatihan"].commitment_id == second.id
    entities = {row.entity for row in session.exec(select(History))}
    assert {"pillar", "commitment", "task"} <= entities


def test_matrix_dry_run_reports_each_row_and_writes_nothing(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    before = data_version(session)
    content = matrix_csv(KEYS, _annex(w)[:1], language="id")

    response = post_import(client, w.headers, content, plan=w.plan.code, dry_run="true")

    assert response.status_code == 200, response.text
    assert response.json()["rows"] == [
        {
            "row": 2,
            "action": "created",
            "id": None,
            "strategy": "created",
            "commitment": "created",
            "task": "created",
        }
    ]
    assert data_version(session) == before
    assert fresh(session).exec(select(Pillar).where(col(Pillar.code) == "S9")).first() is None


def test_matrix_in_english_semicolons_and_windows_1252_updates_the_english_title(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    keys = ["strategy_code", "commitment_code", "commitment", "target_year"]
    rows = [[w.pillar.code, w.commitment.code, "Café moderation guideline", "2027"]]
    content = matrix_csv(keys, rows, delimiter=";", encoding="cp1252")

    response = client.post(
        IMPORTS,
        files={"file": ("matrix.csv", content, "text/csv")},
        data={"plan": w.plan.code},
        headers=w.headers,
    )

    assert response.status_code == 200, response.text
    assert response.json()["rows"][0]["commitment"] == "updated"
    commitment = fresh(session).get(Commitment, w.commitment.id)
    assert commitment is not None
    assert (commitment.title_en, commitment.title_id, commitment.target_year) == (
        "Café moderation guideline",
        w.commitment.title_id,
        2027,
    )


def test_matrix_updates_a_task_by_its_id_and_reports_an_unchanged_row(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    keys = ["strategy_code", "commitment_code", "task_id", "task", "due_date", "version"]
    same = [w.pillar.code, w.commitment.code, str(task.id), task.title, task.due_date, 1]
    content = matrix_csv(keys, [same], language="id")

    response = post_import(client, w.headers, content, plan=w.plan.code)

    assert response.status_code == 200, response.text
    assert response.json()["unchanged"] == 1


def test_matrix_names_an_unknown_organisation_with_the_closest_known_names(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    w.ministry.name_id = "Kementerian Komunikasi dan Digital"
    session.add(w.ministry)
    session.commit()
    keys = ["strategy_code", "commitment_code", "commitment", "lead_organisation"]
    rows = [[w.pillar.code, "K-1", "Pedoman", "Kementerian Komunikasi Digital"]]

    response = post_import(
        client,
        {**w.headers, "Accept-Language": "id"},
        matrix_csv(keys, rows, language="id"),
        plan=w.plan.code,
    )

    assert problem_rows(response) == [(2, "lead_organisation")]
    message = response.json()["errors"][0]["message"]
    assert "Kementerian Komunikasi dan Digital" in message
    assert (
        fresh(session).exec(select(Commitment).where(col(Commitment.code) == "K-1")).first() is None
    )


def test_matrix_refuses_a_strategy_not_of_the_plan_and_a_commitment_of_another_plan(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    other = make_commitment(session, plan=make_plan(session))
    keys = ["strategy_code", "commitment_code", "commitment"]
    rows: list[list[Any]] = [
        ["NOPE", w.commitment.code, None],
        [w.pillar.code, other.code, "Pindah"],
    ]

    response = post_import(client, w.headers, matrix_csv(keys, rows), plan=w.plan.code)

    assert problem_rows(response) == [(2, "strategy_code"), (3, "commitment_code")]
    errors = response.json()["errors"]
    assert w.pillar.code in errors[0]["message"]
    assert other.code not in errors[1]["message"]


def test_matrix_refuses_duplicate_task_ids_and_codes_that_say_two_things(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    task = make_task(session, commitment=w.commitment, lead=w.ministry)
    keys = ["commitment_code", "commitment", "task_id", "version"]
    rows: list[list[Any]] = [
        [w.commitment.code, "Satu", str(task.id), 1],
        [w.commitment.code, "Dua", None, None],
        [w.commitment.code, None, str(task.id), 1],
    ]

    response = post_import(client, w.headers, matrix_csv(keys, rows), plan=w.plan.code)

    assert problem_rows(response) == [(3, "commitment"), (4, "task_id")]
    assert fresh(session).get(Commitment, w.commitment.id).title_en == w.commitment.title_en  # type: ignore[union-attr]


def test_matrix_refuses_formula_cells_per_cell(client: TestClient, session: Session) -> None:
    w = world(session)
    keys = ["commitment_code", "commitment", "target_year"]
    content = matrix_xlsx(keys, [[w.commitment.code, "=A1&B1", "=2025+2"]], language="en")

    response = post_xlsx(client, w.headers, content, plan=w.plan.code)

    assert problem_rows(response) == [(2, "commitment"), (2, "target_year")]
    assert "=2025+2" in response.json()["errors"][1]["message"]


def test_matrix_reads_indonesian_dates_and_refuses_others_in_the_request_language(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    keys = ["commitment_code", "task", "lead_owner", "start_date", "due_date"]
    rows: list[list[Any]] = [
        [w.commitment.code, "a", w.ministry.code, "17-08-2027", "17 Agustus 2027"],
        [w.commitment.code, "b", w.ministry.code, "2027-08-17", "August 18, 2027"],
        [w.commitment.code, "c", w.ministry.code, "17 Agt 2027", "31/02/2027"],
    ]

    response = post_import(
        client,
        {**w.headers, "Accept-Language": "id"},
        matrix_csv(keys, rows, language="id"),
        plan=w.plan.code,
    )

    assert problem_rows(response) == [(4, "due_date")]
    assert response.json()["errors"][0]["message"].startswith("Bukan tanggal")


def test_matrix_without_a_plan_is_422_and_a_foreign_plan_403(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = matrix_csv(["commitment_code", "commitment"], [[w.commitment.code, "x"]])
    foreign = make_plan(session)

    missing = post_import(client, w.headers, content)
    elsewhere = post_import(client, w.headers, content, plan=foreign.code)

    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "plan"
    assert elsewhere.status_code == 403


def test_matrix_takes_its_plan_from_a_plan_column_and_an_admin_may_import(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    _, admin = login(session, role=Role.admin)
    content = matrix_csv(
        ["plan", "commitment_code", "focus"], [[w.plan.code, w.commitment.code, "Baru"]]
    )

    response = post_import(client, admin, content)

    assert response.status_code == 200, response.text
    assert fresh(session).get(Commitment, w.commitment.id).focus == "Baru"  # type: ignore[union-attr]


def test_matrix_reads_the_visible_sheet_and_ignores_a_hidden_one(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    content = matrix_xlsx(
        ["commitment_code", "focus"],
        [[w.commitment.code, "Terlihat"]],
        hidden_first=[["commitment_code", "focus"], [w.commitment.code, "Tersembunyi"]],
    )

    response = client.post(
        IMPORTS,
        files={"file": ("matriks.xlsx", content, XLSX_TYPE)},
        data={"plan": w.plan.code},
        headers=w.headers,
    )

    assert response.status_code == 200, response.text
    assert fresh(session).get(Commitment, w.commitment.id).focus == "Terlihat"  # type: ignore[union-attr]


def test_a_password_protected_workbook_is_422_and_says_what_to_do(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    # An OLE compound file as Excel writes a workbook with a password: its directory names the
    # EncryptedInfo and EncryptedPackage streams (MS-OFFCRYPTO 2.3.4.4).
    names = b"".join(
        name.encode("utf-16-le").ljust(64, b"\0") for name in ("EncryptedInfo", "EncryptedPackage")
    )
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + names + b"\0" * 2048

    response = client.post(
        IMPORTS,
        files={"file": ("matriks.xlsx", encrypted, XLSX_TYPE)},
        headers={**w.headers, "Accept-Language": "id"},
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "file"
    assert "kata sandi" in response.json()["errors"][0]["message"]


def test_a_matrix_past_the_old_thousand_row_bound_imports_and_one_over_the_limit_is_413(
    client: TestClient, session: Session, settings: Settings
) -> None:
    w = world(session)
    settings.import_max_rows = 1_001
    rows = [[w.commitment.code, f"tugas {n}", w.ministry.code] for n in range(1_002)]
    keys = ["commitment_code", "task", "lead_owner"]

    refused = post_import(
        client, w.headers, matrix_csv(keys, rows, language="id"), plan=w.plan.code
    )
    imported = post_import(
        client, w.headers, matrix_csv(keys, rows[:-1], language="id"), plan=w.plan.code
    )

    assert refused.status_code == 413
    assert refused.json()["detail"] == "The file has more than 1001 task rows: split it."
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == 1_001
    assert len(fresh(session).exec(select(Task)).all()) == 1_001


def test_a_coordinator_of_the_plan_other_than_the_world_may_import_its_matrix(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    user, headers = login(session, role=Role.coordinator)
    plan = make_plan(session)
    make_coordinator_of(session, plan=plan, user=user)
    content = matrix_csv(["commitment_code", "commitment"], [["K-77", "Baru"]])

    own = post_import(client, headers, content, plan=plan.code)
    other = post_import(client, headers, content, plan=w.plan.code)

    assert own.status_code == 200, own.text
    assert other.status_code == 403


def _arranged(session: Session) -> Any:
    """A plan with what a matrix shows: focus, output, target year, a lead and a related
    organisation, a commitment without tasks, and tasks in several states."""
    w = world(session)
    w.commitment.focus = "Pengendalian risiko"
    w.commitment.output = "Pedoman PSE ramah anak"
    w.commitment.target_year = 2027
    w.commitment.lead_organisation_id = w.ministry.id
    session.add(CommitmentOrganisation(commitment_id=w.commitment.id, organisation_id=w.ngo.id))
    session.add(w.commitment)
    session.commit()
    make_commitment(session, plan=w.plan, pillar=w.pillar, lead=w.ngo)  # no tasks yet
    make_task(session, commitment=w.commitment, lead=w.ministry, title="Rancangan")
    make_task(
        session,
        commitment=w.commitment,
        lead=w.ngo,
        title="Konsultasi",
        status=TaskStatus.in_progress,
        progress=40,
    )
    make_task(
        session,
        commitment=w.commitment,
        lead=w.ministry,
        title="Terbit",
        status=TaskStatus.completed,
        progress=100,
    )
    return w


@pytest.mark.parametrize(("kind", "language"), [("xlsx", "id"), ("csv", "id"), ("xlsx", "en")])
def test_an_exported_matrix_imports_back_unchanged_and_writes_nothing(
    client: TestClient, session: Session, kind: str, language: str
) -> None:
    w = _arranged(session)
    headers = {**w.headers, "Accept-Language": language}
    exported = client.get(f"{API}/plans/{w.plan.code}/matrix.{kind}", headers=headers)
    assert exported.status_code == 200, exported.text
    before = data_version(session)
    media_type = XLSX_TYPE if kind == "xlsx" else "text/csv"

    response = post_import(
        client, headers, exported.content, media_type=media_type, plan=w.plan.code
    )

    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 4)
    assert {row["task"] for row in report["rows"]} == {"unchanged", None}
    assert data_version(session) == before


def test_matrix_reads_the_sheet_whose_header_matches_and_its_hidden_columns(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    book = Workbook()
    cover = book.active
    assert cover is not None
    cover.title = "Sampul"
    cover.append(["Rencana Aksi Nasional Perlindungan Anak di Ranah Daring"])
    sheet = book.create_sheet("Matriks")
    sheet.append(["Kode Intervensi Kunci", "Fokus Strategi"])
    sheet.append([w.commitment.code, "Tersembunyi tetapi terbaca"])
    sheet.column_dimensions["B"].hidden = True
    buffer = io.BytesIO()
    book.save(buffer)

    response = post_xlsx(client, w.headers, buffer.getvalue(), plan=w.plan.code)

    assert response.status_code == 200, response.text
    assert fresh(session).get(Commitment, w.commitment.id).focus == "Tersembunyi tetapi terbaca"  # type: ignore[union-attr]
