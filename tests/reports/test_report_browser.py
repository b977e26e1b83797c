"""The period report in headless Chromium, in both languages: its sections, user text shown as
text, axe-core, and screenshots to look at (tests/artifacts/pages-report-*.png)."""

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Commitment, Plan, PlanScope, ReportState, TaskStatus
from tests.factories import (
    login,
    make_alignment,
    make_commitment,
    make_organisation,
    make_plan,
    make_task,
)
from tests.pages.browsing import Serve, check_accessibility, chromium, serve_pages, shot
from tests.reports.test_period_report import SCRIPT, file_report, perpres

__all__ = ["chromium", "perpres", "serve_pages"]
pytestmark = pytest.mark.slow

SECTIONS = {
    "en": [
        "Totals by strategy and status",
        "Completed in the period",
        "Overdue work by organisation",
        "Slipped deadlines",
        "Reports on commitments",
        "Commitments with no report yet",
        "Regional roll-up",
    ],
    "id": [
        "Jumlah menurut strategi dan status",
        "Selesai dalam periode ini",
        "Pekerjaan terlambat menurut organisasi",
        "Tenggat yang bergeser",
        "Laporan atas komitmen",
        "Komitmen yang belum memiliki laporan",
        "Rekapitulasi regional",
    ],
}


@pytest.fixture
def url(serve_pages: Serve, settings: Settings, clock: FixedClock, db: Engine) -> str:
    def build(public_url: str) -> FastAPI:
        return create_app(
            settings.model_copy(update={"public_url": public_url}), clock=clock, engine=db
        )

    return serve_pages(build)


def _regional(session: Session) -> None:
    """ASEAN's plan with Indonesia's PREV-01 and a Philippine commitment aligned to it."""
    rpa = make_plan(session, code="ASEAN-RPA", scope=PlanScope.regional)
    focus = make_commitment(session, plan=rpa, code="RPA-1")
    philippines = make_plan(session, code="PH-NPA")
    dict_ph = make_organisation(session, code="PH-DICT", country="PH")
    ph = make_commitment(session, plan=philippines, code="PH-01", lead=dict_ph)
    make_task(session, commitment=ph, progress=40, status=TaskStatus.in_progress, lead=dict_ph)
    file_report(
        session,
        ph.id,
        philippines,
        state=ReportState.submitted,
        evidence=[{"url": "https://dict.gov.ph/report", "title": "DICT report"}],
    )
    prev = session.exec(select(Commitment).where(col(Commitment.code) == "PREV-01")).one()
    make_alignment(session, national=prev, regional=focus)
    make_alignment(session, national=ph, regional=focus)


@pytest.mark.parametrize("language", ["en", "id"])
def test_report_pages_show_every_section(
    chromium: Browser, url: str, session: Session, perpres: Plan, database_url: str, language: str
) -> None:
    _regional(session)
    _, headers = login(session)
    context = chromium.new_context(
        locale={"en": "en-GB", "id": "id-ID"}[language], extra_http_headers=headers
    )
    page = context.new_page()

    for plan in ("PERPRES", "ASEAN-RPA"):
        page.goto(f"{url}/api/v1/plans/{plan}/report?period=2026-S1")
        expect(page.locator("html")).to_have_attribute("lang", language)
        sections = SECTIONS[language] if plan == "ASEAN-RPA" else SECTIONS[language][:-1]
        for heading in sections:
            expect(page.get_by_role("heading", name=heading)).to_be_visible()
        check_accessibility(page)
        shot(page, f"report-{plan.lower()}-{language}", database_url)
    expect(page.get_by_role("link", name="DICT report")).to_have_attribute(
        "href", "https://dict.gov.ph/report"
    )
    page.goto(f"{url}/api/v1/plans/PERPRES/report?period=2026-S1")
    expect(page.get_by_text(SCRIPT, exact=False).first).to_be_visible()  # shown, not run
    context.close()
