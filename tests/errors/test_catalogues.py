"""The gettext catalogues: complete in every shipped language, in step with the code, and open to
one more language by one more file."""

import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po
from fastapi.testclient import TestClient
from sqlmodel import Session

import app.i18n
from app.i18n import LOCALES, SOURCE, SUPPORTED, plural, translate, translations
from tests.factories import login

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{(\w+)\}|%\((\w+)\)s")
ROWS = plural(
    "{count} row has errors, so nothing was imported: see errors.",
    "{count} rows have errors, so nothing was imported: see errors.",
)


def _catalogue(language: str) -> Catalog:
    with (LOCALES / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def _entries(catalogue: Catalog) -> Iterator[Message]:
    return (message for message in catalogue if message.id)


def _key(message: Message) -> tuple[str, str | None]:
    return (message.id if isinstance(message.id, str) else message.id[0]), message.context


def _strings(message: Message) -> list[str]:
    string = message.string
    return [string] if isinstance(string, str) else list(string or ())


def _ids(message: Message) -> list[str]:
    return [message.id] if isinstance(message.id, str) else list(message.id)


def test_english_and_indonesian_ship() -> None:
    assert {"en", "id"} <= set(SUPPORTED)


@pytest.mark.parametrize("language", [lang for lang in SUPPORTED if lang != SOURCE])
def test_every_message_is_translated(language: str) -> None:
    """English is the source text (the msgid); every other shipped language translates all of
    it, keeping each {placeholder}, with no fuzzy guess standing in for a translation."""
    catalogue = _catalogue(language)
    missing = [
        _key(message)
        for message in _entries(catalogue)
        if message.fuzzy or not all(_strings(message))
    ]
    assert missing == []
    for message in _entries(catalogue):
        wanted = set(PLACEHOLDER.findall(_ids(message)[-1]))
        for string in _strings(message):
            assert set(PLACEHOLDER.findall(string)) == wanted, _key(message)


def test_the_catalogues_hold_what_the_code_says(tmp_path: Path) -> None:
    """`pybabel extract` (configured in pyproject.toml) finds no message the catalogues lack,
    and the catalogues keep none the code no longer says."""
    template = tmp_path / "messages.pot"
    command = [sys.executable, "-c", "from babel.messages.frontend import main; main()"]
    subprocess.run([*command, "extract", "-o", str(template)], cwd=ROOT, check=True)
    with template.open("rb") as pot:
        extracted = {_key(message) for message in _entries(read_po(pot))}
    assert len(extracted) > 100
    for language in SUPPORTED:
        held = {_key(message) for message in _entries(_catalogue(language))}
        assert (language, sorted(extracted - held)) == (language, [])
        assert (language, sorted(held - extracted)) == (language, [])


def test_plural_forms_follow_each_language() -> None:
    assert translate(ROWS, "en", count=1).startswith("1 row has errors")
    assert translate(ROWS, "en", count=3).startswith("3 rows have errors")
    assert translate(ROWS, "id", count=1).startswith("1 baris berisi kesalahan")
    assert translate(ROWS, "id", count=3).startswith("3 baris berisi kesalahan")


def test_translations_are_what_jinja2_installs() -> None:
    catalogue = translations("id")
    assert catalogue.gettext("Not found") == "Tidak ditemukan"
    assert catalogue.pgettext("status", "Completed") == "Selesai"
    assert translations("xx").gettext("Not found") == "Not found"


def test_the_catalogues_ship_with_the_package() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        patterns = tomllib.load(file)["tool"]["setuptools"]["package-data"]["app"]
    package = ROOT / "app"
    shipped = {path for pattern in patterns for path in package.glob(pattern)}
    assert sorted(LOCALES.glob("*/LC_MESSAGES/*.po")) == sorted(
        path for path in shipped if path.suffix == ".po"
    )


@pytest.fixture
def malay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped catalogues and a Malay one, as a translator would add it: one more file."""
    for language in SUPPORTED:
        target = tmp_path / language / "LC_MESSAGES" / "messages.po"
        target.parent.mkdir(parents=True)
        target.write_bytes((LOCALES / language / "LC_MESSAGES" / "messages.po").read_bytes())
    malay = Catalog(locale="ms")
    for message in _entries(_catalogue("id")):
        words = [f"[ms] {string}" for string in _strings(message)]
        malay.add(
            message.id,
            words[0] if isinstance(message.id, str) else tuple(words),
            context=message.context,
        )
    target = tmp_path / "ms" / "LC_MESSAGES" / "messages.po"
    target.parent.mkdir(parents=True)
    with target.open("wb") as po:
        write_po(po, malay)
    monkeypatch.setattr(app.i18n, "LOCALES", tmp_path)
    monkeypatch.setattr(app.i18n, "SUPPORTED", app.i18n.languages(tmp_path))
    app.i18n.translations.cache_clear()
    yield tmp_path
    app.i18n.translations.cache_clear()


@pytest.mark.usefixtures("malay")
def test_a_third_language_is_one_more_catalogue(client: TestClient, session: Session) -> None:
    _, headers = login(session)

    response = client.get(
        "/api/v1/tasks/00000000-0000-4000-8000-000000000000",
        headers={**headers, "Accept-Language": "ms, id;q=0.5"},
    )

    assert response.headers["content-language"] == "ms"
    assert response.json()["title"] == "[ms] Tidak ditemukan"
    assert response.json()["detail"] == "[ms] Tidak ada [ms] tugas dengan pengenal tersebut."
