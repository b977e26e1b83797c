"""The plan or pillar a route's path names (app.resources says in what order)."""

from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.auth import CoordinatorDep, CurrentUserDep
from app.db import SessionDep
from app.http import check_if_match
from app.models import Pillar, Plan, User
from app.plans import pillars, service
from app.plans.schemas import PillarCreate, PillarUpdate, PlanUpdate
from app.resources import Change, ListingDep, ListingOf


def _writable_plan(session: Session, user: User, ref: str) -> Plan:
    plan = service.resolve(session, ref)
    service.ensure_can_write(session, user, plan.id)
    return plan


def plan_of(ref: str, session: SessionDep, _caller: CurrentUserDep) -> Plan:
    return service.resolve(session, ref)


def plan_listing(ref: str, listing: ListingDep, session: SessionDep) -> ListingOf[Plan]:
    return ListingOf(listing.request, listing.response, listing.page, service.resolve(session, ref))


def plan_change(
    ref: str, data: PlanUpdate, request: Request, session: SessionDep, user: CoordinatorDep
) -> Change[Plan, PlanUpdate]:
    plan = _writable_plan(session, user, ref)
    service.check_change(plan, data)
    check_if_match(request, plan.version, body_version=data.version)
    return Change(plan, data)


def new_pillar(
    ref: str, data: PillarCreate, session: SessionDep, user: CoordinatorDep
) -> Change[Plan, PillarCreate]:
    return Change(_writable_plan(session, user, ref), data)


def pillar_of(pillar_id: str, session: SessionDep, _caller: CurrentUserDep) -> Pillar:
    return pillars.resolve(session, pillar_id)


def pillar_change(
    pillar_id: str,
    data: PillarUpdate,
    request: Request,
    session: SessionDep,
    user: CoordinatorDep,
) -> Change[Pillar, PillarUpdate]:
    pillar = pillars.resolve(session, pillar_id)
    service.ensure_can_write(session, user, pillar.plan_id)
    check_if_match(request, pillar.version, body_version=data.version)
    return Change(pillar, data)


PlanDep = Annotated[Plan, Depends(plan_of)]
PlanListingDep = Annotated[ListingOf[Plan], Depends(plan_listing)]
PlanChangeDep = Annotated[Change[Plan, PlanUpdate], Depends(plan_change)]
NewPillarDep = Annotated[Change[Plan, PillarCreate], Depends(new_pillar)]
PillarDep = Annotated[Pillar, Depends(pillar_of)]
PillarChangeDep = Annotated[Change[Pillar, PillarUpdate], Depends(pillar_change)]
