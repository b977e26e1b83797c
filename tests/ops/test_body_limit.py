from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from app.clock import FixedClock
from app.config import Settings
from app.main import create_app
from app.models import Organisation
from tests.factories import login

URL = "/api/v1/organisations"
IMPORTS = "/api/v1/imports"
LIMIT = 1024
IMPORT_LIMIT = 4096
# A JSON route and the import, each with its limit in the small app.
LIMITS = [pytest.param(URL, LIMIT, id="json"), pytest.param(IMPORTS, IMPORT_LIMIT, id="import")]


@pytest.fixture
def small(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[TestClient]:
    """The app with a 1 KiB body limit, and 4 KiB for imports."""
    limited = settings.model_copy(
        update={"max_body_bytes": LIMIT, "import_max_bytes": IMPORT_LIMIT}
    )
    with TestClient(create_app(limited, clock=clock, engine=db)) as client:
        yield client


def _body(size: int) -> bytes:
    prefix = b'{"code": "KPAI", "name_en": "KPAI", "name_id": "KPAI", "kind": "agency", "x": "'
    return prefix + b"x" * (size - len(prefix) - 2) + b'"}'


def _chunks(body: bytes, size: int = 100) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize(("url", "limit"), LIMITS)
def test_body_over_the_limit_by_content_length_is_413(
    small: TestClient, session: Session, url: str, limit: int
) -> None:
    _, headers = login(session)

    response = small.post(
        url, content=_body(limit + 1), headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    assert response.json()["detail"] == f"The body exceeds {limit} bytes."


@pytest.mark.parametrize(("url", "limit"), LIMITS)
def test_chunked_body_over_the_limit_is_413(
    small: TestClient, session: Session, url: str, limit: int
) -> None:
    _, headers = login(session)

    response = small.post(
        url,
        content=_chunks(_body(limit + 1)),
        headers={**headers, "Content-Type": "application/json", "Accept-Language": "id"},
    )

    assert response.status_code == 413
    assert response.json()["title"] == "Isi permintaan terlalu besar"
    assert response.json()["detail"] == f"Isi permintaan melebihi {limit} bita."
    assert session.exec(select(Organisation)).all() == []


@pytest.mark.parametrize(
    ("url", "limit", "media_type", "last"),
    [
        pytest.param(URL, LIMIT, "application/json", "x", id="json"),
        pytest.param(IMPORTS, IMPORT_LIMIT, "text/csv", 'xx"}', id="import"),
    ],
)
def test_chunked_body_at_the_limit_reaches_the_app(
    small: TestClient, session: Session, url: str, limit: int, media_type: str, last: str
) -> None:
    _, headers = login(session)

    response = small.post(
        url, content=_chunks(_body(limit)), headers={**headers, "Content-Type": media_type}
    )

    # The route refuses the unknown field "x", the import the unknown column that ends the body
    # (a CSV header of JSON): the body was read whole and parsed.
    assert response.status_code == 422
    assert response.json()["errors"][-1]["field"].endswith(last)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        pytest.param(IMPORTS, 422, id="import"),  # read by the import: not CSV it can read
        pytest.param("/imports", 404, id="import-without-prefix"),  # not refused: no route
    ],
)
def test_an_import_may_be_larger_than_the_body_limit(
    client: TestClient, session: Session, settings: Settings, url: str, status: int
) -> None:
    _, headers = login(session)
    body = _body(settings.max_body_bytes + 1)

    imported = client.post(url, content=body, headers={**headers, "Content-Type": "text/csv"})
    other = client.post(URL, content=body, headers={**headers, "Content-Type": "application/json"})

    assert imported.status_code == status, imported.text
    assert other.status_code == 413
