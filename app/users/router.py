from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request, Response, status

from app.auth import CoordinatorDep, CurrentUserDep
from app.db import SessionDep
from app.deps import CallerETagDep, ClockDep
from app.http import (
    Page,
    PageDep,
    answer,
    check_if_match,
    resource_etag,
    set_next_link,
    tag_read,
)
from app.models import Role, User
from app.organisations import service as organisations
from app.users import service
from app.users.schemas import UserCreate, UserPublic, UserUpdate

router = APIRouter(prefix="/users", tags=["users"])


def _tagged(response: Response, user: User) -> UserPublic:
    return answer(response, service.public(user), resource_etag(user.version))


def _read(request: Request, response: Response, user: User) -> UserPublic:
    tag_read(request, response, resource_etag(user.version))
    return service.public(user)


@router.get("")
def list_users(
    request: Request,
    response: Response,
    session: SessionDep,
    viewer: CoordinatorDep,
    _etag: CallerETagDep,
    page: PageDep,
    role: Role | None = None,
    organisation: Annotated[
        str | None, Query(max_length=200, description="Organisation id, code or alias, or `me`.")
    ] = None,
) -> Page[UserPublic]:
    """Users by e-mail: all for an admin, the people of its plans for a coordinator."""
    organisation = organisations.own(organisation, viewer)
    items, cursor = service.list_users(
        session, page, viewer=viewer, role=role, organisation=organisation
    )
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.get("/me")
def get_me(request: Request, response: Response, user: CurrentUserDep) -> UserPublic:
    """The caller's own account."""
    return _read(request, response, user)


@router.get("/{user_id}")
def get_user(
    user_id: UUID, request: Request, response: Response, session: SessionDep, viewer: CurrentUserDep
) -> UserPublic:
    """One user: yourself, anyone for an admin, the people of its plans for a coordinator."""
    return _read(request, response, service.get_visible(session, user_id, viewer=viewer))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_user(
    data: UserCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CoordinatorDep,
    clock: ClockDep,
) -> UserPublic:
    """Add a user (admin: any role; coordinator: contributors and viewers)."""
    user = service.create(session, data, actor=actor, now=clock.now())
    response.headers["Location"] = str(request.url_for("get_user", user_id=str(user.id)))
    return _tagged(response, user)


@router.patch("/me")
def update_me(
    data: UserUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CurrentUserDep,
    clock: ClockDep,
) -> UserPublic:
    """Change yourself (name, language, time zone, digest): PATCH /users/{your id}."""
    return update_user(actor.id, data, request, response, session, actor, clock)


@router.patch("/{user_id}")
def update_user(
    user_id: UUID,
    data: UserUpdate,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CurrentUserDep,
    clock: ClockDep,
) -> UserPublic:
    """Change a user; send If-Match (or `version`). Role and organisation: admins only."""
    user = service.get_visible(session, user_id, viewer=actor)
    fields = service.changes(session, user, data, actor=actor)
    check_if_match(request, user.version, body_version=data.version)
    user = service.update(session, user, fields, actor=actor, now=clock.now())
    return _tagged(response, user)
