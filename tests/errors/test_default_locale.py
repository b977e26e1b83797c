"""PANTAU_DEFAULT_LOCALE is the language of a request that asks for none the service speaks
(no Accept-Language, or only languages without a catalogue): API problems and pages alike."""

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session

from app.config import Settings
from tests.factories import login

UNKNOWN_TASK = "/api/v1/tasks/00000000-0000-4000-8000-000000000000"
INDONESIAN = "Tidak ada tugas dengan pengenal tersebut."


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"default_locale": "id"})


@pytest.mark.parametrize("accept_language", [None, "fr, de"])
def test_a_problem_without_a_language_asked_is_in_the_default(
    client: TestClient, session: Session, accept_language: str | None
) -> None:
    _, headers = login(session)
    if accept_language:
        headers["Accept-Language"] = accept_language

    response = client.get(UNKNOWN_TASK, headers=headers)

    assert response.status_code == 404
    assert response.json()["detail"] == INDONESIAN


def test_a_language_asked_for_is_still_the_answer(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.get(UNKNOWN_TASK, headers={**headers, "Accept-Language": "en"})

    assert response.json()["detail"] == "No task with that identifier."


@pytest.mark.parametrize(("accept_language", "language"), [(None, "id"), ("en", "en")])
def test_a_page_without_a_language_asked_is_in_the_default(
    client: TestClient, accept_language: str | None, language: str
) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}

    response = client.get("/sign-in", headers=headers)

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text


def test_a_default_without_a_catalogue_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="default_locale"):
        Settings(default_locale="fr", _env_file=None)
