"""Every route refuses what it does not read: an unknown query parameter (422, naming it) and a
body of a media type it does not take (415); `organisation=me` names the caller's own."""

import csv
import io
import re
from collections.abc import Callable

import httpx
import orjson
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.models import Organisation, Role, Task
from tests.dashboard.conftest import AppFactory
from tests.factories import auth, login, make_organisation, make_task, make_token, make_user

API = "/api/v1"
UNKNOWN = "zz_unknown"


def _routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every route that FastAPI answers, with made-up path parameters."""
    found = []
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, APIRoute) and route.path:
            path = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", route.path)
            found += [(method, path) for method in sorted(route.methods or ())]
    return found


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    return login(session, role=Role.admin)[1]


def test_every_route_refuses_an_unknown_query_parameter_naming_it(
    make_app: AppFactory, serve: Callable[[FastAPI], str], admin: dict[str, str]
) -> None:
    app = make_app()
    routes = _routes(app)
    answers: dict[tuple[str, str], tuple[int, str, bytes]] = {}
    # A real server: a route that streams (/events) shows its status without ending.
    with httpx.Client(base_url=serve(app), headers=admin, timeout=10) as http:
        for method, path in routes:
            with http.stream(method, f"{path}?{UNKNOWN}=1") as response:
                body = response.read() if response.status_code != 200 else b""
                answers[method, path] = (
                    response.status_code,
                    response.headers["content-type"],
                    body,
                )

    assert len(routes) > 40
    assert {key: status for key, (status, _, _) in answers.items() if status != 422} == {}
    for _, content_type, body in answers.values():
        assert content_type == "application/problem+json"
        assert [e["field"] for e in orjson.loads(body)["errors"]] == [UNKNOWN]


def test_misspelt_task_filter_is_422_in_english_and_indonesian(
    client: TestClient, admin: dict[str, str]
) -> None:
    english = client.get(f"{API}/tasks?stauts=blocked&limit=5", headers=admin)
    indonesian = client.get(
        f"{API}/tasks?stauts=blocked", headers={**admin, "Accept-Language": "id"}
    )

    assert (english.status_code, indonesian.status_code) == (422, 422)
    [error] = english.json()["errors"]
    assert error["field"] == "stauts"
    assert "Unknown query parameter" in error["message"]
    assert "status" in error["message"]  # the names it takes, to spot the slip
    [error_id] = indonesian.json()["errors"]
    assert error_id["field"] == "stauts"
    assert error_id["message"].startswith("Parameter kueri tidak dikenal")


def test_every_unknown_parameter_is_named(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get(f"{API}/users?email=a@example.test&name=x&limit=5", headers=admin)

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["email", "name"]


def test_declared_parameters_are_still_taken(client: TestClient, admin: dict[str, str]) -> None:
    urls = [
        f"{API}/tasks?status=blocked&status=in_progress&q=x&limit=5&due_before=2030-01-01",
        f"{API}/users?role=admin&limit=5",
        f"{API}/summary?plan=X",
        f"{API}/changes?after=0",
        f"{API}/tasks.csv?schedule=overdue",
    ]

    assert {url: client.get(url, headers=admin).status_code for url in urls} == dict.fromkeys(
        urls, 200
    )


def _world(session: Session) -> tuple[Organisation, Task, Task]:
    mine, other = make_organisation(session, code="MINE"), make_organisation(session, code="OTHER")
    ours = make_task(session, title="Ours", lead=mine)
    theirs = make_task(session, title="Theirs", lead=other)
    return mine, ours, theirs


def test_organisation_me_names_the_callers_organisation(
    client: TestClient, session: Session
) -> None:
    mine, ours, _ = _world(session)
    user = make_user(session, role=Role.admin, organisation=mine)
    colleague = make_user(session, role=Role.contributor, organisation=mine)
    make_user(session, role=Role.contributor, organisation=make_organisation(session))
    headers = auth(make_token(session, user=user))

    tasks = client.get(f"{API}/tasks?organisation=me", headers=headers)
    exported = client.get(f"{API}/tasks.csv?organisation=ME", headers=headers)
    calendar = client.get(f"{API}/calendar.ics?organisation=me", headers=headers)
    summary = client.get(f"{API}/summary?organisation=me", headers=headers)
    users = client.get(f"{API}/users?organisation=me", headers=headers)

    assert [t["title"] for t in tasks.json()["items"]] == ["Ours"]
    assert [row[0] for row in csv.reader(io.StringIO(exported.text.lstrip("\ufeff")))][1:] == [
        str(ours.id)
    ]
    assert calendar.text.count("BEGIN:VEVENT") == 1
    assert "Ours" in calendar.text
    assert summary.json()["totals"]["tasks"] == 1
    assert {u["email"] for u in users.json()["items"]} == {user.email, colleague.email}


def test_organisation_me_without_an_organisation_is_422(
    client: TestClient, session: Session, admin: dict[str, str]
) -> None:
    urls = [
        f"{API}/tasks?organisation=me",
        f"{API}/tasks.xlsx?organisation=me",
        f"{API}/calendar.ics?organisation=me",
        f"{API}/summary?organisation=me",
        f"{API}/users?organisation=me",
    ]

    answers = [client.get(url, headers=admin) for url in urls]
    indonesian = client.get(urls[0], headers={**admin, "Accept-Language": "id"})

    assert [r.status_code for r in answers] == [422] * len(urls)
    assert {r.json()["errors"][0]["field"] for r in answers} == {"organisation"}
    assert "your account has none" in answers[0].json()["errors"][0]["message"]
    assert "akun Anda tidak memilikinya" in indonesian.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("method", "path", "content_type", "accept_header"),
    [
        ("POST", f"{API}/organisations", "text/plain", "accept-post"),
        ("POST", f"{API}/tasks", "application/x-www-form-urlencoded", "accept-post"),
        ("POST", f"{API}/organisations", "multipart/form-data; boundary=x", "accept-post"),
        ("PATCH", f"{API}/users/00000000-0000-0000-0000-000000000000", "text/csv", "accept-patch"),
    ],
)
def test_json_route_refuses_another_media_type_with_415(
    client: TestClient,
    admin: dict[str, str],
    method: str,
    path: str,
    content_type: str,
    accept_header: str,
) -> None:
    response = client.request(
        method, path, content=b'{"code": "X"}', headers={**admin, "Content-Type": content_type}
    )
    indonesian = client.request(
        method,
        path,
        content=b"{}",
        headers={**admin, "Content-Type": content_type, "Accept-Language": "id"},
    )

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers[accept_header] == "application/json"
    assert "send application/json" in response.json()["detail"]
    assert indonesian.status_code == 415
    assert "kirim application/json" in indonesian.json()["detail"]


def test_json_route_takes_json_types(client: TestClient, admin: dict[str, str]) -> None:
    body = b'{"code": "KPAI", "name_en": "K", "name_id": "K", "kind": "agency"}'

    plain = client.post(
        f"{API}/organisations",
        content=body,
        headers={**admin, "Content-Type": "application/json; charset=utf-8"},
    )

    assert plain.status_code == 201


@pytest.mark.parametrize("content_type", ["application/json", "application/xml", "image/png"])
def test_upload_route_refuses_another_media_type_with_415(
    client: TestClient, admin: dict[str, str], content_type: str
) -> None:
    response = client.post(
        f"{API}/imports", content=b'{"a": 1}', headers={**admin, "Content-Type": content_type}
    )

    assert response.status_code == 415
    assert response.headers["content-type"] == "application/problem+json"
