"""English and Indonesian text for everything the API says in words."""

from collections.abc import Mapping

from starlette.requests import HTTPConnection

SUPPORTED = ("en", "id")

MESSAGES: Mapping[str, Mapping[str, str]] = {
    # problem titles
    "bad-request": {"en": "Bad request", "id": "Permintaan tidak valid"},
    "malformed-json": {"en": "Malformed JSON", "id": "JSON tidak valid"},
    "unauthenticated": {"en": "Authentication required", "id": "Autentikasi diperlukan"},
    "forbidden": {"en": "Forbidden", "id": "Akses ditolak"},
    "not-found": {"en": "Not found", "id": "Tidak ditemukan"},
    "method-not-allowed": {"en": "Method not allowed", "id": "Metode tidak diizinkan"},
    "conflict": {"en": "Conflict", "id": "Konflik"},
    "invalid-transition": {
        "en": "Status change not allowed",
        "id": "Perubahan status tidak diizinkan",
    },
    "precondition-failed": {"en": "Precondition failed", "id": "Prasyarat tidak terpenuhi"},
    "precondition-required": {"en": "Precondition required", "id": "Prasyarat diperlukan"},
    "payload-too-large": {"en": "Request body too large", "id": "Isi permintaan terlalu besar"},
    "unsupported-media-type": {"en": "Unsupported media type", "id": "Jenis media tidak didukung"},
    "validation": {"en": "Invalid request", "id": "Permintaan tidak valid"},
    "service-unavailable": {"en": "Service unavailable", "id": "Layanan tidak tersedia"},
    "internal": {"en": "Internal error", "id": "Kesalahan internal"},
    # details
    "detail.malformed-json": {
        "en": "The body is not valid JSON.",
        "id": "Isi permintaan bukan JSON yang valid.",
    },
    "detail.validation": {
        "en": "Some fields are invalid: see errors.",
        "id": "Beberapa isian tidak valid: lihat errors.",
    },
    "detail.no-token": {
        "en": "Send an Authorization: Bearer token.",
        "id": "Kirim token pada header Authorization: Bearer.",
    },
    "detail.bad-token": {
        "en": "The token is unknown, revoked or expired.",
        "id": "Token tidak dikenal, telah dicabut, atau kedaluwarsa.",
    },
    "detail.role": {
        "en": "Your role ({role}) may not do this.",
        "id": "Peran Anda ({role}) tidak boleh melakukan ini.",
    },
    "detail.other-organisation": {
        "en": "This task is owned by other organisations than yours.",
        "id": "Tugas ini dimiliki organisasi lain, bukan organisasi Anda.",
    },
    "detail.not-found": {
        "en": "No {entity} with that identifier.",
        "id": "Tidak ada {entity} dengan pengenal tersebut.",
    },
    "detail.route-not-found": {
        "en": "There is nothing at this address.",
        "id": "Tidak ada apa pun di alamat ini.",
    },
    "detail.method-not-allowed": {
        "en": "This address does not accept {method}.",
        "id": "Alamat ini tidak menerima {method}.",
    },
    "detail.duplicate": {
        "en": "A {entity} with that {field} exists already.",
        "id": "{entity} dengan {field} tersebut sudah ada.",
    },
    "detail.integrity": {
        "en": "The change conflicts with existing data.",
        "id": "Perubahan bertentangan dengan data yang ada.",
    },
    "detail.transition": {
        "en": "A task cannot go from {current} to {target}.",
        "id": "Tugas tidak dapat berubah dari {current} ke {target}.",
    },
    "detail.note-required": {
        "en": "Moving to {target} needs a note.",
        "id": "Perubahan ke {target} memerlukan catatan.",
    },
    "detail.reopen-role": {
        "en": "Only a coordinator or an admin may reopen a task.",
        "id": "Hanya koordinator atau admin yang boleh membuka kembali tugas.",
    },
    "detail.stale": {
        "en": "The resource has changed since version {sent}; it is at version {current}.",
        "id": "Sumber daya telah berubah sejak versi {sent}; kini versi {current}.",
    },
    "detail.if-match-required": {
        "en": "Send If-Match with the ETag you read, or the body's version.",
        "id": "Kirim If-Match berisi ETag yang Anda baca, atau version di isi permintaan.",
    },
    "detail.too-large": {
        "en": "The body exceeds {limit} bytes.",
        "id": "Isi permintaan melebihi {limit} bita.",
    },
    "detail.database-unavailable": {
        "en": "The database cannot be reached; try again shortly.",
        "id": "Basis data tidak dapat dihubungi; coba lagi sebentar lagi.",
    },
    "detail.schema-behind": {
        "en": "The database schema is not at the latest migration; run `pantau migrate`.",
        "id": "Skema basis data belum pada migrasi terbaru; jalankan `pantau migrate`.",
    },
    "detail.bad-cursor": {
        "en": "The cursor is not one this service issued.",
        "id": "Kursor ini bukan yang diterbitkan layanan ini.",
    },
    "detail.idempotency-mismatch": {
        "en": "This Idempotency-Key was used with a different request.",
        "id": "Idempotency-Key ini sudah dipakai untuk permintaan lain.",
    },
    "detail.in-use": {
        "en": "The {entity} is still referenced and cannot be deleted.",
        "id": "{entity} masih dirujuk dan tidak dapat dihapus.",
    },
}

# Pydantic error types, in Indonesian; other types fall back to pydantic's English message.
VALIDATION_ID: Mapping[str, str] = {
    "missing": "Wajib diisi.",
    "string_too_short": "Terlalu pendek.",
    "string_too_long": "Terlalu panjang.",
    "string_type": "Harus berupa teks.",
    "int_parsing": "Harus berupa bilangan bulat.",
    "int_type": "Harus berupa bilangan bulat.",
    "int_from_float": "Harus berupa bilangan bulat.",
    "bool_parsing": "Harus berupa true atau false.",
    "bool_type": "Harus berupa true atau false.",
    "greater_than_equal": "Terlalu kecil.",
    "less_than_equal": "Terlalu besar.",
    "greater_than": "Terlalu kecil.",
    "less_than": "Terlalu besar.",
    "enum": "Nilai tidak dikenal.",
    "literal_error": "Nilai tidak dikenal.",
    "date_from_datetime_parsing": "Tanggal tidak valid.",
    "date_parsing": "Tanggal tidak valid.",
    "date_type": "Tanggal tidak valid.",
    "datetime_parsing": "Waktu tidak valid.",
    "datetime_from_date_parsing": "Waktu tidak valid.",
    "timezone_aware": "Waktu harus menyertakan zona waktu.",
    "uuid_parsing": "Pengenal tidak valid.",
    "uuid_type": "Pengenal tidak valid.",
    "extra_forbidden": "Isian ini tidak dikenal.",
    "value_error": "Nilai tidak valid.",
    "list_type": "Harus berupa daftar.",
    "dict_type": "Harus berupa objek.",
    "model_type": "Harus berupa objek.",
    "json_invalid": "JSON tidak valid.",
    "url_parsing": "URL tidak valid.",
    "url_scheme": "Skema URL tidak diizinkan.",
}


def negotiate(accept_language: str | None, default: str = "en") -> str:
    """The best supported language of an Accept-Language header (RFC 9110 §12.5.4)."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept_language.split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        primary = "id" if primary == "in" else primary  # "in" is the withdrawn code for Indonesian
        if primary in SUPPORTED and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else default


def locale_of(connection: HTTPConnection) -> str:
    return negotiate(connection.headers.get("accept-language"))


def text(key: str, locale: str, **params: object) -> str:
    entry = MESSAGES[key]
    template = entry.get(locale) or entry["en"]
    return template.format(**params) if params else template
