from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Role
from tests.factories import auth, login, make_organisation

URL = "/api/v1/organisations"


def test_list_organisations_pages_with_cursor_and_link(
    client: TestClient, session: Session
) -> None:
    for code in ("A", "B", "C"):
        make_organisation(session, code=code)
    _, headers = login(session, role=Role.viewer)

    first = client.get(URL, params={"limit": 2}, headers=headers)
    second = client.get(
        URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=headers
    )

    assert [o["code"] for o in first.json()["items"]] == ["A", "B"]
    assert 'rel="next"' in first.headers["link"]
    assert [o["code"] for o in second.json()["items"]] == ["C"]
    assert second.json()["next_cursor"] is None


def test_list_without_token_is_401_problem(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"


def test_list_answers_304_to_matching_etag_until_a_write(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)
    first = client.get(URL, headers=headers)

    hit = client.get(URL, headers={**headers, "If-None-Match": first.headers["etag"]})
    client.post(
        URL, json={"code": "NEW", "name_en": "N", "name_id": "N", "kind": "ngo"}, headers=headers
    )
    miss = client.get(URL, headers={**headers, "If-None-Match": first.headers["etag"]})

    assert (hit.status_code, hit.content) == (304, b"")
    assert miss.status_code == 200


def test_create_then_find_by_alias(client: TestClient, session: Session) -> None:
    _, headers = login(session)
    body = {
        "code": "KEMKOMDIGI",
        "name_en": "Ministry of Communication and Digital Affairs",
        "name_id": "Kementerian Komunikasi dan Digital",
        "kind": "ministry",
        "country": "ID",
        "aliases": ["Kominfo", "Komdigi"],
    }

    created = client.post(URL, json=body, headers=headers)
    found = client.get(f"{URL}/kominfo", headers=headers)

    assert created.status_code == 201
    assert created.headers["etag"] == '"1"'
    assert found.json()["code"] == "KEMKOMDIGI"
    assert found.json()["aliases"] == ["Komdigi", "Kominfo"]


def test_create_by_viewer_is_403(client: TestClient, session: Session) -> None:
    _, headers = login(session, role=Role.viewer)

    response = client.post(
        URL, json={"code": "X", "name_en": "X", "name_id": "X", "kind": "ngo"}, headers=headers
    )

    assert response.status_code == 403


def test_create_duplicate_code_is_409(client: TestClient, session: Session) -> None:
    make_organisation(session, code="KPAI")
    _, headers = login(session)

    response = client.post(
        URL,
        json={"code": "kpai", "name_en": "X", "name_id": "X", "kind": "agency"},
        headers=headers,
    )

    assert response.status_code == 409


def test_create_with_bad_fields_lists_each_in_indonesian(
    client: TestClient, session: Session
) -> None:
    _, headers = login(session)

    response = client.post(
        URL,
        json={"code": "", "name_en": "X", "kind": "bank"},
        headers={**headers, "Accept-Language": "id-ID,id;q=0.9,en;q=0.5"},
    )

    problem = response.json()
    assert response.status_code == 422
    assert problem["title"] == "Permintaan tidak valid"
    assert {e["field"] for e in problem["errors"]} == {"code", "name_id", "kind"}
    assert "Wajib diisi." in [e["message"] for e in problem["errors"]]


def test_malformed_json_is_400(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.post(
        URL, content=b'{"code": ', headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.json()["type"] == "urn:pantau:problem:malformed-json"


def test_stale_if_match_is_412_and_nothing_changes(client: TestClient, session: Session) -> None:
    organisation = make_organisation(session, code="BSSN")
    _, headers = login(session)
    client.patch(f"{URL}/BSSN", json={"name_en": "First"}, headers={**headers, "If-Match": '"1"'})

    stale = client.patch(
        f"{URL}/BSSN", json={"name_en": "Second"}, headers={**headers, "If-Match": '"1"'}
    )
    current = client.get(f"{URL}/{organisation.id}", headers=headers)

    assert stale.status_code == 412
    assert current.json()["name_en"] == "First"
    assert current.json()["version"] == 2


def test_unknown_token_is_401(client: TestClient) -> None:
    response = client.get(URL, headers=auth("pnt_nope"))

    assert response.status_code == 401
    assert response.json()["detail"] == "The token is unknown, revoked or expired."
