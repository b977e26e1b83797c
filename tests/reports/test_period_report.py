"""The period report of a plan, in HTML, Markdown and JSON, and the regional roll-up (issue 12)."""

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import (
    Assessment,
    Commitment,
    History,
    Plan,
    PlanScope,
    Report,
    ReportFile,
    ReportState,
    TaskStatus,
)
from tests.factories import (
    login,
    make_alignment,
    make_commitment,
    make_organisation,
    make_pillar,
    make_plan,
    make_task,
)

SCRIPT = "<script>alert('x')</script>"
URL = "/api/v1/plans/PERPRES/report"


def file_report(session: Session, commitment_id: object, plan: Plan, **fields: object) -> Report:
    values: dict[str, object] = {
        "period": "2026-S1",
        "assessment": Assessment.substantial,
        "state": ReportState.accepted,
        "narrative_id": "Pedoman terbit.",
        "evidence": [{"url": "https://kemenpppa.go.id/sk", "title": "SK Menteri"}],
        "review_comment": "Terverifikasi.",
        **fields,
    }
    report = Report(plan_id=plan.id, commitment_id=commitment_id, **values)  # type: ignore[arg-type]
    session.add(report)
    session.commit()
    return report


@pytest.fixture
def perpres(session: Session) -> Plan:
    plan = make_plan(session, code="PERPRES")
    kpppa = make_organisation(session, code="KEMENPPPA")
    komdigi = make_organisation(session, code="KOMDIGI")
    prevention = make_pillar(session, plan=plan, code="PREV", position=1)
    handling = make_pillar(session, plan=plan, code="HAND", position=2)
    filed = make_commitment(session, plan=plan, pillar=prevention, code="PREV-01", lead=kpppa)
    make_commitment(session, plan=plan, pillar=handling, code="HAND-01", lead=komdigi)
    done = make_task(session, commitment=filed, title="Publish the guideline", lead=kpppa)
    done.status, done.progress = TaskStatus.completed, 100
    session.add(done)
    session.add(
        History(
            entity="task",
            entity_id=done.id,
            action="transition",
            field="status",
            old="in_progress",
            new="completed",
            at=datetime(2026, 2, 10, tzinfo=UTC),
        )
    )
    make_task(
        session, commitment=filed, title=f"Late {SCRIPT}", lead=kpppa, due_date=date(2026, 1, 5)
    )
    file_report(session, filed.id, plan, narrative_en=f"Done {SCRIPT}")
    return plan


def test_totals_agree_with_the_summary(client: TestClient, session: Session, perpres: Plan) -> None:
    _, headers = login(session)

    report = client.get(
        URL, params={"period": "2026-S1"}, headers={**headers, "Accept": "application/json"}
    )
    summary = client.get("/api/v1/summary", params={"plan": "PERPRES"}, headers=headers)

    assert report.status_code == 200, report.text
    assert report.json()["totals"] == summary.json()["plans"][0]
    assert report.json()["organisations"] == summary.json()["organisations"]


def test_sections_hold_the_periods_work(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    _, headers = login(session)

    body = client.get(
        URL, params={"period": "2026-S1"}, headers={**headers, "Accept": "application/json"}
    ).json()

    assert [t["title"] for t in body["completed"]] == ["Publish the guideline"]
    assert [t["title"] for t in body["overdue"]["KEMENPPPA"]] == [f"Late {SCRIPT}"]
    assert [line["code"] for line in body["reports"]] == ["PREV-01"]
    assert body["reports"][0]["report"]["evidence"][0]["url"] == "https://kemenpppa.go.id/sk"
    assert [line["code"] for line in body["missing"]] == ["HAND-01"]
    assert body["rollup"] == []


def test_a_period_outside_the_plan_is_422(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    _, headers = login(session)

    response = client.get(URL, params={"period": "2040-S1"}, headers=headers)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Totals by strategy and status", "No report", "accepted (verified)"]),
        (
            "id",
            [
                "Jumlah menurut strategi dan status",
                "belum memiliki laporan",
                "diterima (terverifikasi)",
            ],
        ),
    ],
)
def test_html_in_the_requests_language_escapes_user_text(
    client: TestClient, session: Session, perpres: Plan, language: str, words: list[str]
) -> None:
    _, headers = login(session)

    page = client.get(
        URL, params={"period": "2026-S1"}, headers={**headers, "Accept-Language": language}
    )

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert SCRIPT not in text
    assert "&lt;script&gt;" in text
    for word in words:
        assert word.casefold() in text.casefold()


def test_markdown_by_accept_or_suffix(client: TestClient, session: Session, perpres: Plan) -> None:
    _, headers = login(session)

    by_accept = client.get(
        URL, params={"period": "2026-S1"}, headers={**headers, "Accept": "text/markdown"}
    )
    by_suffix = client.get(f"{URL}.md", params={"period": "2026-S1"}, headers=headers)

    assert by_accept.headers["content-type"].startswith("text/markdown")
    assert by_accept.text == by_suffix.text
    assert by_accept.text.startswith("# Period report 2026-S1")
    assert "<script" not in by_accept.text
    assert "&lt;script&gt;" in by_accept.text
    assert "[SK Menteri](<https://kemenpppa.go.id/sk>)" in by_accept.text


def test_a_held_etag_gets_304(client: TestClient, session: Session, perpres: Plan) -> None:
    _, headers = login(session)
    first = client.get(URL, params={"period": "2026-S1"}, headers=headers)

    again = client.get(
        URL,
        params={"period": "2026-S1"},
        headers={**headers, "If-None-Match": first.headers["ETag"]},
    )
    markdown = client.get(
        URL,
        params={"period": "2026-S1"},
        headers={**headers, "Accept": "text/markdown", "If-None-Match": first.headers["ETag"]},
    )

    assert again.status_code == 304
    assert markdown.status_code == 200


def test_regional_rollup_reads_two_member_states(
    client: TestClient, session: Session, perpres: Plan
) -> None:
    rpa = make_plan(session, code="ASEAN-RPA", scope=PlanScope.regional)
    focus = make_commitment(session, plan=rpa, code="RPA-1")
    make_commitment(session, plan=rpa, code="RPA-2")
    philippines = make_plan(session, code="PH-NPA")
    dict_ph = make_organisation(session, code="PH-DICT", country="PH")
    ph_commitment = make_commitment(session, plan=philippines, code="PH-01", lead=dict_ph)
    make_task(
        session, commitment=ph_commitment, progress=40, status=TaskStatus.in_progress, lead=dict_ph
    )
    file_report(
        session,
        ph_commitment.id,
        philippines,
        state=ReportState.submitted,
        evidence=[{"url": "https://dict.gov.ph/report"}],
    )

    prev = session.exec(select(Commitment).where(col(Commitment.code) == "PREV-01")).one()
    make_alignment(session, national=prev, regional=focus)
    make_alignment(session, national=ph_commitment, regional=focus)
    _, headers = login(session)

    body = client.get(
        "/api/v1/plans/ASEAN-RPA/report",
        params={"period": "2026-S1"},
        headers={**headers, "Accept": "application/json"},
    ).json()
    page = client.get(
        "/api/v1/plans/ASEAN-RPA/report", params={"period": "2026-S1"}, headers=headers
    )

    first, second = body["rollup"]
    assert [(n["country"], n["code"]) for n in first["national"]] == [
        ("PH", "PH-01"),
        ("ID", "PREV-01"),
    ]
    ph, indonesia = first["national"]
    assert (ph["progress"], ph["report_state"]) == (40.0, "submitted")
    assert ph["evidence"] == [{"url": "https://dict.gov.ph/report", "title": None}]
    assert (indonesia["progress"], indonesia["report_state"]) == (50.0, "accepted")
    assert second["national"] == []
    assert "Regional roll-up" in page.text
    assert "https://dict.gov.ph/report" in page.text


def _move_later(client: TestClient, headers: dict[str, str], title: str, due: str) -> None:
    """Through PATCH /tasks, as people move a due date: with a reason (decision 16)."""
    listed = client.get("/api/v1/tasks", params={"q": title}, headers=headers).json()
    [task] = [t for t in listed["items"] if t["title"] == title]
    response = client.patch(
        f"/api/v1/tasks/{task['id']}",
        json={"due_date": due, "due_date_reason": f"Decree {SCRIPT} not signed yet"},
        headers={**headers, "If-Match": f'"{task["version"]}"'},
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("language", "heading", "reason_label"),
    [
        ("en", "Due dates moved to a later day", "Reason"),
        ("id", "Tenggat yang dimundurkan", "Alasan"),
    ],
)
def test_slipped_deadlines_list_each_move_with_its_reason_and_mover(
    client: TestClient,
    session: Session,
    perpres: Plan,
    language: str,
    heading: str,
    reason_label: str,
) -> None:
    mover, headers = login(session)
    _move_later(client, headers, f"Late {SCRIPT}", "2026-04-30")
    localised = {**headers, "Accept-Language": language}

    body = client.get(
        URL, params={"period": "2026-S1"}, headers={**localised, "Accept": "application/json"}
    ).json()
    page = client.get(URL, params={"period": "2026-S1"}, headers=localised).text
    markdown = client.get(f"{URL}.md", params={"period": "2026-S1"}, headers=localised).text
    other_period = client.get(
        URL, params={"period": "2025-S2"}, headers={**headers, "Accept": "application/json"}
    ).json()

    [slip] = body["slipped"]
    assert (slip["commitment"], slip["lead_organisation"]) == ("PREV-01", "KEMENPPPA")
    assert (slip["old_due_date"], slip["new_due_date"]) == ("2026-01-05", "2026-04-30")
    assert (slip["reason"], slip["actor"]) == (f"Decree {SCRIPT} not signed yet", mover.name)
    assert other_period["slipped"] == []  # the move was made in 2026-S1
    for text in (page, markdown):
        assert heading in text
        assert "2026-01-05 → 2026-04-30" in text
        assert SCRIPT not in text
    assert f'<th scope="col">{reason_label}</th>' in page
    assert "Decree &lt;script&gt;" in page
    moved_by = "Moved by" if language == "en" else "Dipindahkan oleh"
    escaped = "Decree &lt;script&gt;alert\\('x'\\)&lt;/script&gt; not signed yet"
    assert f"{escaped} ({moved_by} {mover.name}" in markdown
    moves = "Deadline moves" if language == "en" else "Pergeseran tenggat"
    assert f'<th scope="col">{moves}</th>' in page
    counts = "<td>2</td><td>1</td><td>0</td><td>0</td><td>1</td>"  # tasks … deadline moves
    assert f'<th scope="row">KEMENPPPA</th>{counts}' in page


def test_a_reports_evidence_files_are_listed_with_their_downloads(
    settings: Settings, clock: FixedClock, db: Engine, session: Session, perpres: Plan
) -> None:
    # Under another API prefix than the usual one: the links follow the setting.
    api = "/pantau/api/v2"
    app = create_app(settings.model_copy(update={"api_prefix": api}), clock=clock, engine=db)
    report = session.exec(select(Report)).one()
    evidence = ReportFile(
        report_id=report.id,
        name=f"Notulen {SCRIPT}.pdf",
        content_type="application/pdf",
        size=2048,
        sha256="0" * 64,
        storage_key="evidence/test-notulen",
    )
    session.add(evidence)
    session.commit()
    _, headers = login(session)
    download = f"{api}/reports/{report.id}/files/{evidence.id}"
    url, query = f"{api}/plans/PERPRES/report", {"period": "2026-S1"}

    with TestClient(app) as client:
        page = client.get(url, params=query, headers=headers)
        markdown = client.get(f"{url}.md", params=query, headers=headers)
        json_headers = {**headers, "Accept": "application/json"}
        document = client.get(url, params=query, headers=json_headers)

    assert f'href="{download}"' in page.text
    assert f'href="{api}/plans/PERPRES/matrix.xlsx?period=2026-S1"' in page.text
    assert "Notulen &lt;script&gt;" in page.text
    assert f"(<{download}>), application/pdf" in markdown.text
    [filed] = document.json()["reports"]
    assert [file["name"] for file in filed["report"]["files"]] == [f"Notulen {SCRIPT}.pdf"]
