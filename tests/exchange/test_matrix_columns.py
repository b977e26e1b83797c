"""The matrix's column vocabulary, which the matrix export writes and the matrix import reads."""

import pytest

from app.exchange.columns import normalise_header
from app.exchange.matrix_columns import MATRIX_COLUMNS, MATRIX_KEYS, headers, key_of
from app.i18n import SUPPORTED


def test_the_annex_columns_come_first_in_the_perpres_order() -> None:
    assert MATRIX_KEYS[:11] == (
        "strategy_code",
        "strategy",
        "focus",
        "commitment_code",
        "commitment",
        "output",
        "target_year",
        "lead_organisation_code",
        "lead_organisation",
        "related_organisation_codes",
        "related_organisations",
    )
    assert len(set(MATRIX_KEYS)) == len(MATRIX_KEYS)


def test_headers_are_in_the_readers_language() -> None:
    assert headers("en")[:5] == [
        "Strategy code",
        "Strategy",
        "Focus strategy",
        "Key intervention code",
        "Key intervention",
    ]
    indonesian = headers("id")
    assert indonesian[:5] == [
        "Kode Strategi",
        "Strategi",
        "Fokus Strategi",
        "Kode Intervensi Kunci",
        "Intervensi Kunci",
    ]
    assert "K/L Penanggung Jawab" in indonesian
    assert "K/L Terkait" in indonesian
    assert headers("xx") == headers("en")  # no catalogue: the English source


@pytest.mark.parametrize("language", SUPPORTED)
def test_every_header_reads_back_as_its_key(language: str) -> None:
    for column, header in zip(MATRIX_COLUMNS, headers(language), strict=True):
        assert key_of(header) == column.key
        assert key_of(f"  {header.upper()} ") == column.key
        assert key_of(column.key) == column.key
    assert key_of("Kode Strategi") == "strategy_code"
    assert key_of("not a column") is None


def test_no_two_columns_share_a_header_in_any_language() -> None:
    for language in SUPPORTED:
        named = [normalise_header(header) for header in headers(language)]
        assert len(set(named)) == len(named), language
