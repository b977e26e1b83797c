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
LIMIT = 1024


@pytest.fixture
def small(settings: Settings, clock: FixedClock, db: Engine) -> Iterator[TestClient]:
    """The app with a 1 KiB body limit."""
    limited = settings.model_copy(update={"max_body_bytes": LIMIT})
    with TestClient(create_app(limited, clock=clock, engine=db)) as client:
        yield client


def _body(size: int) -> bytes:
    prefix = b'{"code": "KPAI", "name_en": "KPAI", "name_id": "KPAI", "kind": "agency", "x": "'
    return prefix + b"x" * (size - len(prefix) - 2) + b'"}'


def _chunks(body: bytes, size: int = 100) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_body_over_the_limit_by_content_length_is_413(small: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = small.post(
        URL, content=_body(LIMIT + 1), headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["connection"] == "close"
    assert response.json()["detail"] == "The body exceeds 1024 bytes."


def test_chunked_body_over_the_limit_is_413(small: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = small.post(
        URL,
        content=_chunks(_body(LIMIT + 1)),
        headers={**headers, "Content-Type": "application/json", "Accept-Language": "id"},
    )

    assert response.status_code == 413
    assert response.json()["title"] == "Isi permintaan terlalu besar"
    assert session.exec(select(Organisation)).all() == []


def test_chunked_body_at_the_limit_reaches_the_app(small: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = small.post(
        URL, content=_chunks(_body(LIMIT)), headers={**headers, "Content-Type": "application/json"}
    )

    # The route refuses the unknown field "x": the body was read whole and parsed.
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["x"]
