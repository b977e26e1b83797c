from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import CoordinatorDep, CurrentUserDep
from app.db import SessionDep
from app.deps import ClockDep, DataETagDep
from app.http import Page, PageDep, check_if_match, check_not_modified, resource_etag, set_next_link
from app.models import OrganisationKind
from app.organisations import service
from app.organisations.schemas import OrganisationCreate, OrganisationPublic, OrganisationUpdate

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("")
def list_organisations(
    request: Request,
    response: Response,
    session: SessionDep,
    _user: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    kind: OrganisationKind | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
) -> Page[OrganisationPublic]:
    """Organisations that own work, by code; filter by text, kind or country."""
    items, cursor = service.list_organisations(session, page, q=q, kind=kind, country=country)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.get("/{ref}")
def get_organisation(
    ref: str, request: Request, response: Response, session: SessionDep, _user: CurrentUserDep
) -> OrganisationPublic:
    """One organisation, by id, code or alias (Kominfo finds Komdigi)."""
    organisation = service.resolve(session, ref)
    etag = resource_etag(organisation.version)
    check_not_modified(request, etag)
    response.headers["ETag"] = etag
    return service.public(session, organisation)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_organisation(
    data: OrganisationCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> OrganisationPublic:
    """Add an organisation (coordinator or admin)."""
    organisation = service.create(session, data, actor_id=user.id, now=clock.now())
    response.headers["ETag"] = resource_etag(organisation.version)
    response.headers["Location"] = str(
        request.url_for("get_organisation", ref=str(organisation.id))
    )
    return service.public(session, organisation)


@router.patch("/{ref}")
def update_organisation(
    ref: str,
    data: OrganisationUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    user: CoordinatorDep,
    clock: ClockDep,
) -> OrganisationPublic:
    """Change an organisation; send If-Match (or `version`) to guard against lost updates."""
    organisation = service.resolve(session, ref)
    check_if_match(request, organisation.version, body_version=data.version)
    organisation = service.update(session, organisation, data, actor_id=user.id, now=clock.now())
    response.headers["ETag"] = resource_etag(organisation.version)
    return service.public(session, organisation)
