"""Idempotency-Key on a multipart upload: the parts are the request, not the boundary."""

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Change
from tests.exchange.support import API, World, csv_file, tasks_by_title, world

IMPORTS = f"{API}/imports"


def _form(boundary: str, content: bytes, *, filename: str = "tugas.csv") -> bytes:
    crlf = b"\r\n"
    return crlf.join(
        [
            f"--{boundary}".encode(),
            b'Content-Disposition: form-data; name="comment"',
            b"",
            b"Triwulan satu",
            f"--{boundary}".encode(),
            f'Content-Disposition: form-data; name="file"; filename="{filename}"'.encode(),
            b"Content-Type: text/csv",
            b"",
            content,
            f"--{boundary}--".encode(),
            b"",
        ]
    )


def _post(
    client: TestClient, w: World, key: str, boundary: str, content: bytes, **kw: str
) -> httpx.Response:
    headers = {
        **w.headers,
        "Idempotency-Key": key,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    response: httpx.Response = client.post(
        IMPORTS, content=_form(boundary, content, **kw), headers=headers
    )
    return response


def _csv(w: World, title: str) -> bytes:
    return csv_file({"commitment": w.commitment.code, "title": title, "lead_owner": w.ngo.code})


def test_the_same_form_with_another_boundary_replays_the_first_answer(
    client: TestClient, session: Session
) -> None:
    w = world(session)

    first = _post(client, w, "upload-1", "----first7MA4YWxkTrZu0gW", _csv(w, "sekali"))
    again = _post(client, w, "upload-1", "another-boundary-1234", _csv(w, "sekali"))

    assert (first.status_code, again.status_code) == (200, 200), again.text
    assert again.content == first.content
    assert again.headers["idempotent-replayed"] == "true"
    assert list(tasks_by_title(session)) == ["sekali"]
    assert len(session.exec(select(Change)).all()) == 1


def test_another_file_or_file_name_under_the_same_key_is_a_mismatch(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    _post(client, w, "upload-1", "b1", _csv(w, "sekali"))

    other_file = _post(client, w, "upload-1", "b2", _csv(w, "dua kali"))
    other_name = _post(client, w, "upload-1", "b3", _csv(w, "sekali"), filename="lain.csv")

    for response in (other_file, other_name):
        assert response.status_code == 422
        assert response.json()["type"] == "urn:pantau:problem:idempotency-mismatch"
    assert list(tasks_by_title(session)) == ["sekali"]


def test_an_unreadable_multipart_body_is_fingerprinted_as_sent(
    client: TestClient, session: Session
) -> None:
    w = world(session)
    headers = {**w.headers, "Idempotency-Key": "k", "Content-Type": "multipart/form-data"}

    first = client.post(IMPORTS, content=b"no boundary here", headers=headers)
    again = client.post(IMPORTS, content=b"no boundary here", headers=headers)

    assert (first.status_code, again.status_code) == (422, 422)
    assert again.headers["idempotent-replayed"] == "true"
