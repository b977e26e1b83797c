"""The organisation a route's path names (app.resources says in what order)."""

from typing import Annotated

from fastapi import Depends, Request

from app.auth import AdminDep, CurrentUserDep
from app.db import SessionDep
from app.http import check_if_match
from app.models import Organisation
from app.organisations import service
from app.organisations.schemas import OrganisationUpdate
from app.resources import Change


def organisation_of(ref: str, session: SessionDep, _caller: CurrentUserDep) -> Organisation:
    return service.resolve(session, ref)


def organisation_change(
    ref: str,
    data: OrganisationUpdate,
    request: Request,
    session: SessionDep,
    _writer: AdminDep,
) -> Change[Organisation, OrganisationUpdate]:
    organisation = service.resolve(session, ref)
    check_if_match(request, organisation.version, body_version=data.version)
    return Change(organisation, data)


OrganisationDep = Annotated[Organisation, Depends(organisation_of)]
OrganisationChangeDep = Annotated[
    Change[Organisation, OrganisationUpdate], Depends(organisation_change)
]
