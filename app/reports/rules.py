"""Who may file, change and review a report, and which state each action moves it to.

The order of refusals: the caller's right first (403), then the report's state (409), then the
content (422), so nobody learns about a report they may not act on."""

from dataclasses import dataclass

from sqlmodel import Session

from app.errors import Conflict, Forbidden
from app.i18n import N_
from app.models import Commitment, Report, ReportState, Role, User
from app.plans import service as plans

NOT_NOW = N_("A report that is {state} cannot be {action}.")

EDITABLE = frozenset({ReportState.draft, ReportState.returned})


@dataclass(frozen=True, slots=True)
class Step:
    source: frozenset[ReportState]
    target: ReportState
    by_reviewer: bool


STEPS = {
    "submit": Step(EDITABLE, ReportState.submitted, by_reviewer=False),
    "accept": Step(frozenset({ReportState.submitted}), ReportState.accepted, by_reviewer=True),
    "return": Step(frozenset({ReportState.submitted}), ReportState.returned, by_reviewer=True),
}


def is_reviewer(session: Session, user: User, plan_id: object) -> bool:
    if user.role is Role.admin:
        return True
    return user.role is Role.coordinator and plans.coordinates(session, plan_id, user.id)  # type: ignore[arg-type]


def ensure_can_file(session: Session, user: User, commitment: Commitment) -> None:
    """The lead organisation's contributors, the plan's coordinators and admins."""
    if is_reviewer(session, user, commitment.plan_id):
        return
    lead = commitment.lead_organisation_id
    if user.role is Role.contributor and lead is not None and user.organisation_id == lead:
        return
    raise Forbidden(
        N_(
            "Only contributors of the commitment's lead organisation and "
            "the plan's coordinators file its reports."
        )
    )


def ensure_can_review(session: Session, user: User, report: Report) -> None:
    if not is_reviewer(session, user, report.plan_id):
        raise Forbidden(N_("Only the plan's coordinators accept or return its reports."))


def ensure_editable(report: Report, action: str = "changed") -> None:
    if report.state not in EDITABLE:
        raise Conflict(
            N_("A report that is {state} cannot be {action}."),
            state=report.state.value,
            action=action,
        )


def check_step(
    session: Session, user: User, report: Report, commitment: Commitment, action: str
) -> Step:
    step = STEPS[action]
    if step.by_reviewer:
        ensure_can_review(session, user, report)
    else:
        ensure_can_file(session, user, commitment)
    if report.state not in step.source:
        raise Conflict(
            N_("A report that is {state} cannot be {action}."),
            state=report.state.value,
            action=action,
        )
    return step
