from typing import Annotated

from fastapi import Depends, Request, Response

from app.auth import CurrentUserDep
from app.db import SessionDep
from app.http import check_not_modified, collection_etag
from app.i18n import locale_of
from app.outbox import queue


def outbox_etag(
    request: Request, response: Response, session: SessionDep, user: CurrentUserDep
) -> str:
    """The ETag of a reminder or delivery collection: the outbox version, the address, the
    language and the reader (who sees which reminders depends on the role); 304 before the
    collection is read when the client has it already."""
    etag = collection_etag(
        queue.version(session),
        request.url.path,
        str(request.query_params),
        locale_of(request),
        str(user.id),
    )
    check_not_modified(request, etag)
    response.headers["ETag"] = etag
    return etag


OutboxETagDep = Annotated[str, Depends(outbox_etag)]
