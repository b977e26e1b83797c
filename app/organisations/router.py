from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import AdminDep, CoordinatorDep
from app.db import SessionDep
from app.deps import ClockDep
from app.http import Page, answer, resource_etag, tag_read
from app.models import OrganisationKind
from app.organisations import service
from app.organisations.dependencies import OrganisationChangeDep, OrganisationDep
from app.organisations.schemas import OrganisationCreate, OrganisationPublic
from app.resources import ListingDep

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("")
def list_organisations(
    listing: ListingDep,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    kind: OrganisationKind | None = None,
    country: Annotated[str | None, Query(pattern=r"^[A-Za-z]{2}$")] = None,
) -> Page[OrganisationPublic]:
    """Organisations that own work, by code; filter by text, kind or country."""
    items, cursor = service.list_organisations(
        session, listing.page, q=q, kind=kind, country=country
    )
    return listing.answer(items, cursor)


@router.get("/{ref}")
def get_organisation(
    ref: str,
    organisation: OrganisationDep,
    request: Request,
    response: Response,
    session: SessionDep,
) -> OrganisationPublic:
    """One organisation, by id, code or alias (Kominfo finds Komdigi)."""
    tag_read(request, response, resource_etag(organisation.version))
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
    location = request.url_for("get_organisation", ref=str(organisation.id))
    body = service.public(session, organisation)
    return answer(response, body, resource_etag(organisation.version), location=location)


@router.patch("/{ref}")
def update_organisation(
    ref: str,
    change: OrganisationChangeDep,
    response: Response,
    session: SessionDep,
    user: AdminDep,
    clock: ClockDep,
) -> OrganisationPublic:
    """Change an organisation (admin: its names and aliases serve every plan); send If-Match
    (or `version`) to guard against lost updates."""
    organisation = service.update(
        session, change.target, change.data, actor_id=user.id, now=clock.now()
    )
    body = service.public(session, organisation)
    return answer(response, body, resource_etag(organisation.version))
