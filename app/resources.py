"""What the catalogue routers share: a read of a collection, and a write and what it targets
(the answers that carry a resource's ETag are app.http's).

The dependencies that look up the resource of a path (`app.<domain>.dependencies`) take the
caller, or the role a write needs, and the rest of what their route validates (the body, the
listing): FastAPI calls a dependency before it validates the route's own parameters. So a
malformed request about an unknown resource is 422, not 404, and a caller without the role gets
403 before learning whether the resource exists. A route whose role check is not part of its
lookup declares the role first. Routes still name their path parameters (`ref: str`): FastAPI
documents each once, in the order of the path, and ruff's FAST003 sees them.
"""

from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Request, Response

from app.auth import CurrentUserDep
from app.deps import DataETagDep
from app.http import Page, PageDep, PageParams, set_next_link

T = TypeVar("T")
Parent = TypeVar("Parent")
Target = TypeVar("Target")
Data = TypeVar("Data")


@dataclass(frozen=True, slots=True)
class Listing:
    """A page of a collection for a signed-in caller, past the data ETag's 304."""

    request: Request
    response: Response
    page: PageParams

    def answer(self, items: list[T], next_cursor: str | None) -> Page[T]:
        set_next_link(self.request, self.response, next_cursor)
        return Page(items=items, next_cursor=next_cursor)


async def listing(  # no I/O of its own: on the event loop, not the thread pool
    request: Request,
    response: Response,
    _caller: CurrentUserDep,
    _etag: DataETagDep,
    page: PageDep,
) -> Listing:
    return Listing(request, response, page)


ListingDep = Annotated[Listing, Depends(listing)]


@dataclass(frozen=True, slots=True)
class ListingOf(Listing, Generic[Parent]):
    """A page of what belongs to one resource, the parent."""

    parent: Parent


@dataclass(frozen=True, slots=True)
class Change(Generic[Target, Data]):
    """What a write changes, once the caller may change it, and the body that says how."""

    target: Target
    data: Data
