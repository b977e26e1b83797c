"""Problems speak the caller's language, resource names included."""

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.i18n import negotiate
from tests.factories import login


def test_not_found_names_the_resource_in_indonesian(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.get(
        "/api/v1/tasks/00000000-0000-4000-8000-000000000000",
        headers={**headers, "Accept-Language": "id"},
    )

    assert response.status_code == 404
    assert response.json()["detail"] == "Tidak ada tugas dengan pengenal tersebut."


def test_accept_language_picks_the_best_supported_language() -> None:
    assert negotiate("fr, id;q=0.8, en;q=0.5") == "id"
    assert negotiate("en-GB, id;q=0.9") == "en"
    assert negotiate("in") == "id"
    assert negotiate("fr, de") == "en"
    assert negotiate("id;q=0") == "en"
    assert negotiate(None) == "en"
