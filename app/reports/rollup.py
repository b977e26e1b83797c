"""The regional roll-up: each commitment of a regional plan with the national commitments of
every member state aligned to it, their progress and their latest report."""

from collections import defaultdict
from uuid import UUID

from sqlmodel import Session, col, select

from app.models import Alignment, Commitment, Organisation, Plan, Report, Task, TaskStatus
from app.reports.document_schemas import NationalLine, RollupLine
from app.reports.schemas import Evidence


def lines(session: Session, plan: Plan, language: str) -> list[RollupLine]:
    regional = session.exec(
        select(Commitment)
        .where(col(Commitment.plan_id) == plan.id)
        .order_by(col(Commitment.position), col(Commitment.code))
    ).all()
    aligned = _aligned(session, [commitment.id for commitment in regional])
    return [
        RollupLine(
            code=commitment.code,
            title=_title(commitment, language),
            national=[_national(session, n, language) for n in aligned.get(commitment.id, [])],
        )
        for commitment in regional
    ]


def _title(commitment: Commitment, language: str) -> str:
    return commitment.title_id if language == "id" else commitment.title_en


def _aligned(session: Session, regional_ids: list[UUID]) -> dict[UUID, list[Commitment]]:
    statement = (
        select(Alignment.regional_commitment_id, Commitment)
        .join(Commitment, col(Commitment.id) == col(Alignment.national_commitment_id))
        .where(col(Alignment.regional_commitment_id).in_(regional_ids))
        .order_by(col(Commitment.code))
    )
    found: dict[UUID, list[Commitment]] = defaultdict(list)
    for regional_id, national in session.exec(statement).all():
        found[regional_id].append(national)
    return found


def _progress(session: Session, commitment: Commitment) -> tuple[float | None, int]:
    progress = session.exec(
        select(Task.progress).where(
            col(Task.commitment_id) == commitment.id, col(Task.status) != TaskStatus.cancelled
        )
    ).all()
    return (round(sum(progress) / len(progress), 1) if progress else None), len(progress)


def _country(session: Session, commitment: Commitment, plan: Plan) -> str | None:
    lead = (
        session.get(Organisation, commitment.lead_organisation_id)
        if commitment.lead_organisation_id
        else None
    )
    return (lead.country if lead and lead.country else None) or plan.holiday_country


def _national(session: Session, commitment: Commitment, language: str) -> NationalLine:
    plan = session.get(Plan, commitment.plan_id)
    assert plan is not None  # a foreign key
    latest = session.exec(
        select(Report)
        .where(col(Report.commitment_id) == commitment.id)
        .order_by(col(Report.period).desc())
    ).first()
    progress, tasks = _progress(session, commitment)
    return NationalLine(
        plan=plan.code,
        plan_title=plan.title_id if language == "id" else plan.title_en,
        country=_country(session, commitment, plan),
        code=commitment.code,
        title=_title(commitment, language),
        progress=progress,
        tasks=tasks,
        report_period=latest.period if latest else None,
        report_state=latest.state if latest else None,
        assessment=latest.assessment if latest else None,
        evidence=[Evidence.model_validate(item) for item in latest.evidence] if latest else [],
    )
