"""A plan as the matrix of its annex (issue 10), and for one reporting period (issue 12)."""

import csv
import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlmodel import Session

from app.exchange.export import XLSX_TYPE
from app.exchange.matrix_columns import MATRIX_KEYS, headers
from app.models import CommitmentOrganisation, History, Role, TaskStatus
from tests.exchange.support import API, TODAY, World, world
from tests.factories import (
    login,
    make_commitment,
    make_organisation,
    make_pillar,
    make_task,
    make_user,
)

ID = {"Accept-Language": "id"}


def _url(w: World, kind: str) -> str:
    return f"{API}/plans/{w.plan.code}/matrix.{kind}"


def _csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    return [dict(zip(MATRIX_KEYS, row, strict=True)) for row in rows[1:]]


def _sheet_rows(content: bytes, sheet: int = 0) -> list[tuple[Any, ...]]:
    workbook = load_workbook(io.BytesIO(content))
    rows = list(workbook.worksheets[sheet].iter_rows(values_only=True))
    workbook.close()
    return rows


def _arrange(session: Session) -> tuple[World, dict[str, Any]]:
    """Two strategies, their commitments out of creation order, and tasks out of date order."""
    w = world(session)
    w.commitment.focus = "Pengendalian risiko"
    w.commitment.output = "Pedoman PSE ramah anak"
    w.commitment.target_year = 2027
    w.commitment.lead_organisation_id = w.ministry.id
    w.commitment.position = 2
    session.add(CommitmentOrganisation(commitment_id=w.commitment.id, organisation_id=w.ngo.id))
    session.add(w.commitment)
    session.commit()
    first = make_commitment(session, plan=w.plan, pillar=w.pillar)  # position 0: before
    later_pillar = make_pillar(session, plan=w.plan, position=5)
    empty = make_commitment(session, plan=w.plan, pillar=later_pillar)
    sari = make_user(session, role=Role.contributor, email="sari@x.test")
    late = make_task(
        session,
        commitment=w.commitment,
        title='=HYPERLINK("http://x.test")',
        status=TaskStatus.blocked,
        due_date=date(2026, 9, 30),
        lead=w.ministry,
        support=[w.ngo],
        assignee=sari,
    )
    late.slips = 2
    session.add(late)
    session.add(
        History(
            entity="task",
            entity_id=late.id,
            action="update",
            field="due_date",
            note="Menunggu data dari PSE",
            at=late.created_at,
        )
    )
    session.commit()
    soon = make_task(
        session,
        commitment=w.commitment,
        title="Susun draf pedoman",
        status=TaskStatus.in_progress,
        progress=40,
        due_date=date(2026, 4, 30),
        lead=w.ngo,
    )
    before = make_task(session, commitment=first, title="Rapat koordinasi", lead=w.ministry)
    return w, {"late": late, "soon": soon, "before": before, "first": first, "empty": empty}


def test_matrix_csv_is_the_annex_in_the_readers_language(
    client: TestClient, session: Session
) -> None:
    w, made = _arrange(session)

    response = client.get(_url(w, "csv"), headers={**w.headers, **ID})

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8; header=present"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="matrix-{w.plan.code}-{TODAY}.csv"'
    )
    text = response.content.decode("utf-8-sig")
    assert text.split("\r\n")[0] == ";".join(headers("id"))
    assert text.startswith("Kode Strategi;Strategi;Fokus Strategi;Kode Intervensi Kunci;")
    rows = _csv(response.content)
    # strategy position, commitment position, due date; the empty commitment keeps its row
    assert [row["task"] for row in rows] == [
        "Rapat koordinasi",
        "Susun draf pedoman",
        '\'=HYPERLINK("http://x.test")',  # guarded: text, never a formula
        "",
    ]
    late = rows[2]
    assert late["strategy_code"] == w.pillar.code
    assert late["strategy"] == w.pillar.title_id
    assert late["focus"] == "Pengendalian risiko"
    assert late["commitment_code"] == w.commitment.code
    assert late["commitment"] == w.commitment.title_id
    assert late["output"] == "Pedoman PSE ramah anak"
    assert late["target_year"] == "2027"
    assert late["lead_organisation_code"] == w.ministry.code
    assert late["lead_organisation"] == w.ministry.name_id
    assert late["related_organisation_codes"] == w.ngo.code
    assert late["related_organisations"] == w.ngo.name_id
    assert late["task_id"] == str(made["late"].id)
    assert late["lead_owner"] == w.ministry.code
    assert late["support_owners"] == w.ngo.code
    assert late["assignee_email"] == "sari@x.test"  # a coordinator sees its plans' people
    assert late["status"] == "Terhambat"
    assert late["due_date"] == "2026-09-30"
    assert late["slips"] == "2"
    assert late["latest_note"] == "Menunggu data dari PSE"
    empty = rows[3]
    assert empty["commitment_code"] == made["empty"].code
    assert (empty["task_id"], empty["status"]) == ("", "")


def test_matrix_workbook_reads_back_with_headers_dates_and_sheets(
    client: TestClient, session: Session
) -> None:
    w, _made = _arrange(session)

    english = client.get(_url(w, "xlsx"), headers=w.headers)
    indonesian = client.get(_url(w, "xlsx"), headers={**w.headers, **ID})

    assert english.status_code == 200, english.text
    assert english.headers["content-type"] == XLSX_TYPE
    workbook = load_workbook(io.BytesIO(indonesian.content))
    sheet = workbook.worksheets[0]
    assert workbook.sheetnames == ["Matriks", "Kementerian-Lembaga"]
    assert [cell.value for cell in sheet[1]] == headers("id")
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:W5"
    status = sheet.cell(row=4, column=MATRIX_KEYS.index("status") + 1)
    assert status.value == "Terhambat"
    assert status.fill.fgColor.rgb.endswith("F8CBAD")
    due = sheet.cell(row=4, column=MATRIX_KEYS.index("due_date") + 1)
    assert due.value.date() == date(2026, 9, 30)
    assert due.number_format == "yyyy-mm-dd"
    title = sheet.cell(row=4, column=MATRIX_KEYS.index("task") + 1)
    assert (title.data_type, title.quotePrefix) == ("s", True)  # text, not a formula
    assert sheet.cell(row=2, column=MATRIX_KEYS.index("commitment") + 1).alignment.wrap_text
    organisations = workbook.worksheets[1]
    assert organisations.freeze_panes == "A2"
    lines = list(organisations.iter_rows(values_only=True))
    assert lines[0] == (
        "Kode",
        "Nama (Indonesia)",
        "Nama (Inggris)",
        "Jenis",
        "Jumlah Tugas",
        "Jumlah Pergeseran Tenggat",
    )
    by_code = {line[0]: line for line in lines[1:]}
    assert by_code[w.ministry.code] == (
        w.ministry.code,
        w.ministry.name_id,
        w.ministry.name_en,
        "Kementerian",
        2,
        2,
    )
    assert by_code[w.ngo.code][4:] == (2, 2)
    workbook.close()
    rows = _sheet_rows(english.content)
    assert list(rows[0]) == headers("en")
    assert rows[0][:2] == ("Strategy code", "Strategy")
    assert rows[3][MATRIX_KEYS.index("status")] == "Blocked"
    assert rows[3][MATRIX_KEYS.index("commitment")] == w.commitment.title_en
    assert load_workbook(io.BytesIO(english.content)).sheetnames == ["Matrix", "Organisations"]


def test_matrix_filters_narrow_the_tasks_and_drop_empty_commitments(
    client: TestClient, session: Session
) -> None:
    w, _ = _arrange(session)

    blocked = client.get(_url(w, "csv"), headers=w.headers, params={"status": "blocked"})
    by_pillar = client.get(_url(w, "csv"), headers=w.headers, params={"pillar": w.pillar.code})

    assert [row["status"] for row in _csv(blocked.content)] == ["Blocked"]
    assert [row["task"] for row in _csv(by_pillar.content)] == [
        "Rapat koordinasi",
        "Susun draf pedoman",
        '\'=HYPERLINK("http://x.test")',
    ]


def test_matrix_for_a_period_keeps_its_tasks_and_adds_its_totals(
    client: TestClient, session: Session
) -> None:
    w, _ = _arrange(session)

    response = client.get(
        _url(w, "xlsx"), headers={**w.headers, **ID}, params={"period": "2026-s2"}
    )

    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        f'attachment; filename="matrix-{w.plan.code}-2026-S2.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Matriks", "Kementerian-Lembaga", "Periode"]
    tasks = [
        row[MATRIX_KEYS.index("task")]
        for row in workbook.worksheets[0].iter_rows(min_row=2, values_only=True)
    ]
    assert tasks == ['=HYPERLINK("http://x.test")']  # due 30 September, and only it
    totals = {row[0]: row[1] for row in workbook.worksheets[2].iter_rows(values_only=True)}
    assert totals["Periode"] == "2026-S2"
    assert totals["Awal"].date() == date(2026, 7, 1)
    assert totals["Tugas dalam matriks"] == 1
    assert totals["Tenggat dalam periode"] == 1
    assert totals["Jumlah pergeseran tenggat"] == 2
    workbook.close()


def test_matrix_refuses_an_unknown_plan_period_or_parameter(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    unknown_plan = client.get(f"{API}/plans/NO-SUCH-PLAN/matrix.xlsx", headers=w.headers)
    unknown_period = client.get(_url(w, "csv"), headers=w.headers, params={"period": "2040-S1"})
    unknown_param = client.get(_url(w, "csv"), headers=w.headers, params={"stauts": "blocked"})
    anonymous = client.get(_url(w, "csv"))

    assert unknown_plan.status_code == 404
    assert unknown_plan.headers["content-type"] == "application/problem+json"
    assert unknown_period.status_code == 422
    assert unknown_param.status_code == 422
    assert anonymous.status_code == 401


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_matrix_answers_304_while_nothing_changed(
    client: TestClient, session: Session, kind: str
) -> None:
    w, _made = _arrange(session)

    first = client.get(_url(w, kind), headers=w.headers)
    again = client.get(_url(w, kind), headers={**w.headers, "If-None-Match": first.headers["etag"]})
    other_language = client.get(
        _url(w, kind), headers={**w.headers, **ID, "If-None-Match": first.headers["etag"]}
    )

    assert first.status_code == 200
    assert again.status_code == 304
    assert other_language.status_code == 200


def test_matrix_shows_addresses_only_to_whom_users_shows_them(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    other = make_organisation(session)
    sari = make_user(session, role=Role.contributor, organisation=w.ministry, email="sari@x.test")
    make_task(session, commitment=w.commitment, title="ours", lead=w.ministry, assignee=sari)
    make_task(session, commitment=w.commitment, title="unassigned", lead=other)
    _, admin = login(session, role=Role.admin)
    _, viewer = login(session, role=Role.viewer)

    def addresses(headers: dict[str, str]) -> dict[str, str]:
        response = client.get(_url(w, "csv"), headers=headers)
        assert response.status_code == 200, response.text
        return {row["task"]: row["assignee_email"] for row in _csv(response.content)}

    assert addresses(viewer) == {"ours": "", "unassigned": ""}
    assert addresses(admin) == {"ours": "sari@x.test", "unassigned": ""}


def test_the_period_report_links_the_matrix_workbook_for_its_period(
    client: TestClient, session: Session
) -> None:
    w, _ = _arrange(session)

    page = client.get(
        f"{API}/plans/{w.plan.code}/report",
        params={"period": "2026-S2"},
        headers={**w.headers, **ID, "Accept": "text/html"},
    )

    assert page.status_code == 200, page.text
    link = f"/api/v1/plans/{w.plan.code}/matrix.xlsx?period=2026-S2"
    assert f'href="{link}"' in page.text
    assert "Matriks rencana untuk periode ini (XLSX)" in page.text
    assert client.get(link, headers=w.headers).status_code == 200


@pytest.mark.parametrize(("kind", "language"), [("xlsx", "id"), ("csv", "en"), ("csv", "id")])
def test_an_exported_matrix_imports_back_unchanged(
    client: TestClient, session: Session, kind: str, language: str
) -> None:
    w, _ = _arrange(session)
    headers = {**w.headers, "Accept-Language": language}
    exported = client.get(_url(w, kind), headers=headers)
    media_type = XLSX_TYPE if kind == "xlsx" else "text/csv"

    imported = client.post(
        f"{API}/imports",
        content=exported.content,
        params={"plan": w.plan.code},
        headers={**headers, "Content-Type": media_type},
    )

    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert (report["created"], report["updated"]) == (0, 0), report
    again = client.get(_url(w, kind), headers=headers)
    if kind == "csv":
        assert again.content == exported.content
    else:  # a workbook's zip holds the time it was written
        assert _sheet_rows(again.content) == _sheet_rows(exported.content)
