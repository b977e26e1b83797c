from uuid import UUID

from fastapi import APIRouter, Request, Response, status

from app.auth import CurrentUserDep
from app.db import SessionDep
from app.deps import CallerETagDep, ClockDep
from app.http import Page, PageDep, check_if_match, set_next_link
from app.http.answers import answer, tag_read
from app.http.etags import resource_etag
from app.users import tokens_service as service
from app.users.schemas import TokenCreate, TokenCreated, TokenPublic

router = APIRouter(prefix="/tokens", tags=["tokens"])


@router.get("")
def list_tokens(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CurrentUserDep,
    _etag: CallerETagDep,
    page: PageDep,
    user_id: UUID | None = None,
) -> Page[TokenPublic]:
    """Your tokens (an admin: everyone's, or one user's with ?user_id=); never the secrets."""
    items, cursor = service.list_tokens(session, page, actor=actor, user_id=user_id)
    set_next_link(request, response, cursor)
    return Page(items=items, next_cursor=cursor)


@router.get("/{token_id}")
def get_token(
    token_id: UUID, request: Request, response: Response, session: SessionDep, actor: CurrentUserDep
) -> TokenPublic:
    """One of your tokens, without its secret."""
    token = service.get(session, token_id, actor=actor)
    tag_read(request, response, resource_etag(service.version(token)))
    return service.public(token)


@router.post("", status_code=status.HTTP_201_CREATED)
def create_token(
    data: TokenCreate,
    request: Request,
    response: Response,
    session: SessionDep,
    actor: CurrentUserDep,
    clock: ClockDep,
) -> TokenCreated:
    """Create a token (for yourself; an admin for anyone). The secret is shown this once."""
    created = service.create(session, data, actor=actor, now=clock.now())
    location = request.url_for("get_token", token_id=str(created.id))
    return answer(response, created, resource_etag(1), location=location)


@router.delete("/{token_id}", status_code=status.HTTP_204_NO_CONTENT)
def revoke_token(
    token_id: UUID, request: Request, session: SessionDep, actor: CurrentUserDep, clock: ClockDep
) -> Response:
    """Revoke a token: from now on it gets 401. Revoking twice is harmless."""
    token = service.get(session, token_id, actor=actor)
    check_if_match(request, service.version(token))
    service.revoke(session, token, actor=actor, now=clock.now())
    return Response(status_code=status.HTTP_204_NO_CONTENT)
