from fastapi import APIRouter, Request, Response, status

from app.auth import AdminDep, CoordinatorDep, CurrentUserDep
from app.db import SessionDep
from app.deps import ClockDep, DataETagDep
from app.http import Page, PageDep, check_if_match, check_not_modified, resource_etag, set_next_link
from app.models import PlanScope
from app.plans import coordinators, pillars, service
from app.plans.schemas import (
    CoordinatorPublic,
    PillarCreate,
    PillarPublic,
    PillarUpdate,
    PlanCreate,
    PlanPublic,
    PlanUpdate,
)

router = APIRouter(prefix="/plans", tags=["plans"])
pillars_router = APIRouter(prefix="/pillars", tags=["plans"])


@router.get("")
def list_plans(
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
    scope: PlanScope | None = None,
) -> Page[PlanPublic]:
    """Action plans, by code; filter by scope (regional or national)."""
    items, cursor = service.list_plans(session, page, scope=scope)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.get("/{ref}")
def get_plan(
    ref: str, request: Request, response: Response, session: SessionDep, _user: CurrentUserDep
) -> PlanPublic:
    """One plan, by id or code."""
    plan = service.resolve(session, ref)
    response.headers["ETag"] = etag = resource_etag(plan.version)
    check_not_modified(request, etag)
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
    response.headers["ETag"] = resource_etag(plan.version)
    response.headers["Location"] = str(request.url_for("get_plan", ref=str(plan.id)))
    return service.public(plan)


@router.patch("/{ref}")
def update_plan(
    ref: str,
    data: PlanUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> PlanPublic:
    """Change a plan (its coordinators or an admin); If-Match or `version` guards the update."""
    plan = service.resolve(session, ref)
    service.ensure_can_write(session, user, plan.id)
    check_if_match(request, plan.version, body_version=data.version)
    plan = service.update(session, plan, data, actor_id=user.id, now=clock.now())
    response.headers["ETag"] = resource_etag(plan.version)
    return service.public(plan)


@router.get("/{ref}/coordinators")
def list_plan_coordinators(
    ref: str,
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
) -> Page[CoordinatorPublic]:
    """The people who coordinate a plan and receive its escalations (no e-mail addresses)."""
    plan = service.resolve(session, ref)
    items, cursor = coordinators.list_coordinators(session, plan, page)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.put("/{ref}/coordinators/{user_id}", responses={201: {"model": CoordinatorPublic}})
def add_plan_coordinator(
    ref: str, user_id: str, response: Response, session: SessionDep, user: AdminDep, clock: ClockDep
) -> CoordinatorPublic:
    """Make a coordinator (or admin) user a coordinator of the plan (admin): 201 new, 200 kept."""
    plan = service.resolve(session, ref)
    member, created = coordinators.add(session, plan, user_id, actor_id=user.id, now=clock.now())
    response.status_code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
    return member


@router.delete("/{ref}/coordinators/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_plan_coordinator(
    ref: str, user_id: str, session: SessionDep, user: AdminDep, clock: ClockDep
) -> None:
    """Stop a user coordinating the plan (admin)."""
    plan = service.resolve(session, ref)
    coordinators.remove(session, plan, user_id, actor_id=user.id, now=clock.now())


@router.get("/{ref}/pillars")
def list_plan_pillars(
    ref: str,
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
) -> Page[PillarPublic]:
    """The plan's pillars (strategies or focus areas), in their order."""
    plan = service.resolve(session, ref)
    items, cursor = pillars.list_pillars(session, plan, page)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.post("/{ref}/pillars", status_code=status.HTTP_201_CREATED)
def create_pillar(
    ref: str,
    data: PillarCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> PillarPublic:
    """Add a pillar to a plan (its coordinators or an admin)."""
    plan = service.resolve(session, ref)
    service.ensure_can_write(session, user, plan.id)
    pillar = pillars.create(session, plan, data, actor_id=user.id, now=clock.now())
    response.headers["ETag"] = resource_etag(pillar.version)
    response.headers["Location"] = str(request.url_for("get_pillar", pillar_id=str(pillar.id)))
    return pillars.to_public(pillar, plan)


@pillars_router.get("/{pillar_id}")
def get_pillar(
    pillar_id: str, request: Request, response: Response, session: SessionDep, _u: CurrentUserDep
) -> PillarPublic:
    """One pillar, by id."""
    pillar = pillars.resolve(session, pillar_id)
    response.headers["ETag"] = etag = resource_etag(pillar.version)
    check_not_modified(request, etag)
    return pillars.public(session, pillar)


@pillars_router.patch("/{pillar_id}")
def update_pillar(
    pillar_id: str,
    data: PillarUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> PillarPublic:
    """Change a pillar's titles or position; If-Match or `version` guards the update."""
    pillar = pillars.resolve(session, pillar_id)
    service.ensure_can_write(session, user, pillar.plan_id)
    check_if_match(request, pillar.version, body_version=data.version)
    pillar = pillars.update(session, pillar, data, actor_id=user.id, now=clock.now())
    response.headers["ETag"] = resource_etag(pillar.version)
    return pillars.public(session, pillar)
