from fastapi import APIRouter, Request, Response, status

from app.auth import AdminDep, CoordinatorDep
from app.db import SessionDep
from app.deps import ClockDep
from app.http import Page, answer, resource_etag, tag_read
from app.models import PlanKind, PlanScope
from app.plans import coordinators, pillars, service
from app.plans.dependencies import (
    NewPillarDep,
    PillarChangeDep,
    PillarDep,
    PlanChangeDep,
    PlanDep,
    PlanListingDep,
)
from app.plans.schemas import CoordinatorPublic, PillarPublic, PlanCreate, PlanPublic
from app.resources import ListingDep

router = APIRouter(prefix="/plans", tags=["plans"])
pillars_router = APIRouter(prefix="/pillars", tags=["plans"])


@router.get("")
def list_plans(
    listing: ListingDep,
    session: SessionDep,
    scope: PlanScope | None = None,
    kind: PlanKind | None = None,
) -> Page[PlanPublic]:
    """Plans, by code; filter by scope (regional or national) and kind (road map, action
    plan, strategy, regulation)."""
    items, cursor = service.list_plans(session, listing.page, scope=scope, kind=kind)
    return listing.answer(items, cursor)


@router.get("/{ref}")
def get_plan(ref: str, plan: PlanDep, request: Request, response: Response) -> PlanPublic:
    """One plan, by id or code."""
    tag_read(request, response, resource_etag(plan.version))
    return service.public(plan)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_plan(
    data: PlanCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: AdminDep,
    clock: ClockDep,
) -> PlanPublic:
    """Add an action plan (admin)."""
    plan = service.create(session, data, actor_id=user.id, now=clock.now())
    location = request.url_for("get_plan", ref=str(plan.id))
    return answer(response, service.public(plan), resource_etag(plan.version), location=location)


@router.patch("/{ref}")
def update_plan(
    ref: str,
    change: PlanChangeDep,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> PlanPublic:
    """Change a plan (its coordinators or an admin); If-Match or `version` guards the update."""
    plan = service.update(session, change.target, change.data, actor_id=user.id, now=clock.now())
    return answer(response, service.public(plan), resource_etag(plan.version))


@router.get("/{ref}/coordinators")
def list_plan_coordinators(
    ref: str, listing: PlanListingDep, session: SessionDep
) -> Page[CoordinatorPublic]:
    """The people who coordinate a plan and receive its escalations (no e-mail addresses)."""
    items, cursor = coordinators.list_coordinators(session, listing.parent, listing.page)
    return listing.answer(items, cursor)


@router.put("/{ref}/coordinators/{user_id}", responses={201: {"model": CoordinatorPublic}})
def add_plan_coordinator(
    ref: str,
    user_id: str,
    user: AdminDep,
    plan: PlanDep,
    response: Response,
    session: SessionDep,
    clock: ClockDep,
) -> CoordinatorPublic:
    """Make a coordinator (or admin) user a coordinator of the plan (admin): 201 new, 200 kept."""
    member, created = coordinators.add(session, plan, user_id, actor_id=user.id, now=clock.now())
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return member


@router.delete("/{ref}/coordinators/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_plan_coordinator(
    ref: str, user_id: str, user: AdminDep, plan: PlanDep, session: SessionDep, clock: ClockDep
) -> None:
    """Stop a user coordinating the plan (admin)."""
    coordinators.remove(session, plan, user_id, actor_id=user.id, now=clock.now())


@router.get("/{ref}/pillars")
def list_plan_pillars(ref: str, listing: PlanListingDep, session: SessionDep) -> Page[PillarPublic]:
    """The plan's pillars (strategies or focus areas), in their order."""
    items, cursor = pillars.list_pillars(session, listing.parent, listing.page)
    return listing.answer(items, cursor)


@router.post("/{ref}/pillars", status_code=status.HTTP_201_CREATED)
def create_pillar(
    ref: str,
    change: NewPillarDep,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> PillarPublic:
    """Add a pillar to a plan (its coordinators or an admin)."""
    plan = change.target
    pillar = pillars.create(session, plan, change.data, actor_id=user.id, now=clock.now())
    location = request.url_for("get_pillar", pillar_id=str(pillar.id))
    body = pillars.to_public(pillar, plan)
    return answer(response, body, resource_etag(pillar.version), location=location)


@pillars_router.get("/{pillar_id}")
def get_pillar(
    pillar_id: str, pillar: PillarDep, request: Request, response: Response, session: SessionDep
) -> PillarPublic:
    """One pillar, by id."""
    tag_read(request, response, resource_etag(pillar.version))
    return pillars.public(session, pillar)


@pillars_router.patch("/{pillar_id}")
def update_pillar(
    pillar_id: str,
    change: PillarChangeDep,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> PillarPublic:
    """Change a pillar's titles or position; If-Match or `version` guards the update."""
    pillar = pillars.update(session, change.target, change.data, actor_id=user.id, now=clock.now())
    return answer(response, pillars.public(session, pillar), resource_etag(pillar.version))
