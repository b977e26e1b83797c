"""HTTP conventions every router shares, one function per job: entity tags (etags),
If-None-Match and If-Match (preconditions), answers that carry an ETag (answers), and
cursor paging with its Link header (paging)."""

from app.http.answers import answer, json_response, tag_read
from app.http.etags import collection_etag, request_etag, resource_etag
from app.http.paging import (
    Page,
    PageDep,
    PageParams,
    decode_cursor,
    encode_cursor,
    page_params,
    paginate,
    paginate_rows,
    set_next_link,
)
from app.http.preconditions import (
    NotModified,
    Version,
    check_if_match,
    etag_matches,
    not_modified_response,
    require_if_match,
)

__all__ = [
    "NotModified",
    "Page",
    "PageDep",
    "PageParams",
    "Version",
    "answer",
    "check_if_match",
    "collection_etag",
    "decode_cursor",
    "encode_cursor",
    "etag_matches",
    "json_response",
    "not_modified_response",
    "page_params",
    "paginate",
    "paginate_rows",
    "request_etag",
    "require_if_match",
    "resource_etag",
    "set_next_link",
    "tag_read",
]
