from typing import Annotated

from fastapi import Depends, Request, Response

from app.auth import CurrentUserDep
from app.db import SessionDep
from app.http import request_etag, tag_read
from app.outbox import queue


def outbox_etag(
    request: Request, response: Response, session: SessionDep, user: CurrentUserDep
) -> str:
    """The ETag of a reminder or delivery collection: the outbox version, the address, the
    language and the reader (who sees which reminders depends on the role); 304 before the
    collection is read when the client has it already."""
    return tag_read(request, response, request_etag(request, queue.version(session), str(user.id)))


OutboxETagDep = Annotated[str, Depends(outbox_etag)]
