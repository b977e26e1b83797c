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
    "too-many-requests": {"en": "Too many requests", "id": "Terlalu banyak permintaan"},
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
    "detail.unknown-assignee": {
        "en": "Nobody has the e-mail address {email}.",
        "id": "Tidak ada pengguna dengan alamat e-mail {email}.",
    },
    "detail.no-session": {
        "en": "Sign in first.",
        "id": "Masuk terlebih dahulu.",
    },
    "detail.form-origin": {
        "en": "The form did not come from this site, or it is too old.",
        "id": "Formulir tidak berasal dari situs ini, atau sudah terlalu lama.",
    },
    "detail.sign-in-limit": {
        "en": "Too many sign-in links were asked for; try again later.",
        "id": "Terlalu banyak permintaan tautan masuk; coba lagi nanti.",
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
        "id": "Sudah ada {entity} dengan {field} tersebut.",
    },
    "detail.data-refused": {
        "en": "A value cannot be stored: check for control characters or out-of-range numbers.",
        "id": "Ada nilai yang tidak dapat disimpan: periksa karakter kontrol atau angka"
        " di luar batas.",
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
    "detail.task-other-plan": {
        "en": "This task belongs to a plan you do not coordinate.",
        "id": "Tugas ini termasuk rencana yang tidak Anda koordinasikan.",
    },
    "detail.task-outside-creator-plans": {
        "en": "Your account was created by a plan coordinator: you work on the tasks of the "
        "plans that coordinator coordinates. Ask an admin for an account with a wider reach.",
        "id": "Akun Anda dibuat oleh koordinator rencana: Anda mengerjakan tugas dalam rencana "
        "yang dikoordinasikan koordinator itu. Mintalah akun dengan jangkauan lebih luas kepada "
        "admin.",
    },
    "detail.progress-completed": {
        "en": "A completed task's progress is 100; reopen the task (to in_progress) to change it.",
        "id": "Kemajuan tugas yang selesai (completed) adalah 100; buka kembali tugas itu "
        "(ke in_progress) untuk mengubahnya.",
    },
    "detail.progress-cancelled": {
        "en": "A cancelled task's progress stays as it was; reopen the task (to not_started) to "
        "change it.",
        "id": "Kemajuan tugas yang dibatalkan (cancelled) tetap seperti semula; buka kembali "
        "tugas itu (ke not_started) untuk mengubahnya.",
    },
    "detail.progress-complete-by-transition": {
        "en": "Progress 100 means done: move the task to completed with a transition (POST "
        "to the task's /transitions), which sets 100; an open task's progress is 0 to 99.",
        "id": "Kemajuan 100 berarti selesai: ubah status tugas ke completed (selesai) dengan "
        "transisi (POST ke /transitions tugas itu), yang menetapkan 100; kemajuan tugas yang "
        "belum selesai 0 sampai 99.",
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
    # catalogue: plans, pillars, commitments, alignments
    "detail.not-plan-coordinator": {
        "en": "Only the plan's coordinators (or an admin) may change it.",
        "id": "Hanya koordinator rencana ini (atau admin) yang boleh mengubahnya.",
    },
    "detail.alignment-exists": {
        "en": "These two commitments are aligned already.",
        "id": "Kedua komitmen ini sudah diselaraskan.",
    },
    "invalid.time-zone": {
        "en": "Unknown time zone: use an IANA name such as Asia/Jakarta.",
        "id": "Zona waktu tidak dikenal: gunakan nama IANA seperti Asia/Jakarta.",
    },
    "invalid.holiday-country": {
        "en": "No public holiday calendar is known for this country code.",
        "id": "Tidak ada kalender hari libur untuk kode negara ini.",
    },
    "invalid.null": {"en": "May not be null.", "id": "Tidak boleh null."},
    "invalid.period": {
        "en": "period_end is before period_start.",
        "id": "period_end lebih awal daripada period_start.",
    },
    "invalid.unknown-ref": {
        "en": "No {entity} with that id or code.",
        "id": "Tidak ada {entity} dengan id atau kode tersebut.",
    },
    "invalid.pillar-plan": {
        "en": "The pillar belongs to another plan.",
        "id": "Pilar ini milik rencana lain.",
    },
    "invalid.national": {
        "en": "Must be a commitment of a national plan.",
        "id": "Harus berupa komitmen dari rencana nasional.",
    },
    "invalid.regional": {
        "en": "Must be a commitment of a regional plan.",
        "id": "Harus berupa komitmen dari rencana regional.",
    },
    "invalid.coordinator-role": {
        "en": "Only a user with the coordinator or admin role can coordinate a plan.",
        "id": "Hanya pengguna berperan koordinator atau admin yang dapat mengoordinasikan rencana.",
    },
    # the reporting cycle (app.reports)
    "invalid.report-period": {
        "en": (
            "No reporting period of this plan has that id: its periods are {cadence}s, such as "
            "2026-S2, 2026-Q3 or 2026."
        ),
        "id": (
            "Tidak ada periode pelaporan rencana ini dengan id tersebut: periodenya berupa "
            "{cadence}, misalnya 2026-S2, 2026-Q3 atau 2026."
        ),
    },
    "invalid.period-not-started": {
        "en": "The period {period} has not started yet: its reports open on {start}.",
        "id": "Periode {period} belum dimulai: laporannya dibuka pada {start}.",
    },
    "invalid.task-commitment": {
        "en": "The task belongs to another commitment.",
        "id": "Tugas ini milik komitmen lain.",
    },
    "invalid.narrative-required": {
        "en": "A submitted report needs a narrative in English or Indonesian.",
        "id": "Laporan yang dikirim memerlukan narasi dalam bahasa Indonesia atau Inggris.",
    },
    "invalid.comment-required": {
        "en": "A returned report needs a comment saying what to change.",
        "id": "Laporan yang dikembalikan memerlukan komentar tentang apa yang harus diubah.",
    },
    "detail.report-organisation": {
        "en": (
            "Only contributors of the commitment's lead organisation and the plan's "
            "coordinators file its reports."
        ),
        "id": (
            "Hanya kontributor organisasi penanggung jawab komitmen dan koordinator rencana "
            "yang dapat menyampaikan laporannya."
        ),
    },
    "detail.report-reviewer": {
        "en": "Only the plan's coordinators accept or return its reports.",
        "id": "Hanya koordinator rencana yang dapat menerima atau mengembalikan laporannya.",
    },
    "detail.report-exists": {
        "en": "This commitment already has a report for {period}: change that one.",
        "id": "Komitmen ini sudah memiliki laporan untuk {period}: ubah laporan tersebut.",
    },
    "detail.report-state": {
        "en": "A report that is {state} cannot be {action}.",
        "id": "Laporan berstatus {state} tidak dapat di-{action}.",
    },
    "detail.idempotency-mismatch": {
        "en": "This Idempotency-Key was used with a different request.",
        "id": "Idempotency-Key ini sudah dipakai untuk permintaan lain.",
    },
    # platform: idempotent POSTs, users and tokens
    "idempotency-mismatch": {
        "en": "Idempotency-Key reused",
        "id": "Idempotency-Key dipakai ulang",
    },
    "idempotency-in-progress": {
        "en": "Request still in progress",
        "id": "Permintaan masih diproses",
    },
    "detail.idempotency-in-progress": {
        "en": "A request with this Idempotency-Key is still running; retry when it has finished.",
        "id": "Permintaan dengan Idempotency-Key ini masih berjalan; ulangi setelah selesai.",
    },
    "detail.idempotency-key": {
        "en": "An Idempotency-Key is 1 to 200 visible ASCII characters.",
        "id": "Idempotency-Key terdiri atas 1 sampai 200 karakter ASCII yang terlihat.",
    },
    "detail.user-role-create": {
        "en": "A coordinator may create contributors and viewers only.",
        "id": "Koordinator hanya boleh membuat kontributor dan pemantau (viewer).",
    },
    "detail.user-field": {
        "en": "You may not change {field} of this user.",
        "id": "Anda tidak boleh mengubah {field} pengguna ini.",
    },
    "detail.user-forbidden": {
        "en": "This user is outside the people you may see.",
        "id": "Pengguna ini di luar orang-orang yang boleh Anda lihat.",
    },
    "detail.self-lockout": {
        "en": "You cannot remove your own admin role or deactivate yourself.",
        "id": "Anda tidak dapat mencabut peran admin Anda sendiri atau menonaktifkan diri sendiri.",
    },
    "detail.token-other-user": {
        "en": "You may create, see and revoke only your own tokens.",
        "id": "Anda hanya boleh membuat, melihat, dan mencabut token milik Anda sendiri.",
    },
    "detail.user-inactive": {
        "en": "The user is deactivated.",
        "id": "Pengguna ini telah dinonaktifkan.",
    },
    "invalid.email": {"en": "Not an e-mail address.", "id": "Bukan alamat e-mail."},
    "invalid.unknown-organisation": {
        "en": "No organisation with that id.",
        "id": "Tidak ada organisasi dengan id tersebut.",
    },
    "invalid.contributor-organisation": {
        "en": "A contributor needs an organisation.",
        "id": "Kontributor wajib memiliki organisasi.",
    },
    "invalid.future": {"en": "Must be in the future.", "id": "Harus di masa depan."},
    "detail.in-use": {
        "en": "The {entity} is still referenced and cannot be deleted.",
        "id": "Data {entity} ini masih dirujuk dan tidak dapat dihapus.",
    },
    # dashboard: summary labels, change feed and events
    "summary.plan-wide": {"en": "Plan-wide", "id": "Lintas strategi"},
    "summary.status.not_started": {"en": "Not started", "id": "Belum dimulai"},
    "summary.status.in_progress": {"en": "In progress", "id": "Sedang berjalan"},
    "summary.status.blocked": {"en": "Blocked", "id": "Terhambat"},
    "summary.status.completed": {"en": "Completed", "id": "Selesai"},
    "summary.status.cancelled": {"en": "Cancelled", "id": "Dibatalkan"},
    "summary.schedule.no_due_date": {"en": "No due date", "id": "Tanpa tenggat"},
    "summary.schedule.on_track": {"en": "On track", "id": "Sesuai jadwal"},
    "summary.schedule.due_soon": {"en": "Due soon", "id": "Segera jatuh tempo"},
    "summary.schedule.overdue": {"en": "Overdue", "id": "Terlambat"},
    "summary.schedule.done": {"en": "Done", "id": "Selesai"},
    "detail.last-event-id": {
        "en": "Last-Event-ID must be the seq of a change (a whole number).",
        "id": "Last-Event-ID harus berupa seq sebuah perubahan (bilangan bulat).",
    },
    # reminders and webhooks
    "webhook.url-scheme": {
        "en": "Use an absolute http or https URL.",
        "id": "Gunakan URL http atau https yang lengkap.",
    },
    "webhook.url-credentials": {
        "en": "Put no user name or password in the URL: deliveries are signed instead.",
        "id": "Jangan cantumkan nama pengguna atau kata sandi di URL: "
        "pengiriman sudah ditandatangani.",
    },
    "webhook.url-unresolved": {
        "en": "The host name does not resolve to an address.",
        "id": "Nama host tidak dapat diterjemahkan ke alamat.",
    },
    "webhook.url-private": {
        "en": "The host resolves to {address}, a loopback, private, link-local or other "
        "non-public address; an operator may allow it in PANTAU_WEBHOOK_ALLOWLIST.",
        "id": "Host mengarah ke {address}, alamat loopback, privat, link-local atau non-publik "
        "lainnya; operator dapat mengizinkannya di PANTAU_WEBHOOK_ALLOWLIST.",
    },
    "detail.webhook-disabled": {
        "en": "The webhook is disabled; enable it (PATCH active=true) before replaying.",
        "id": "Webhook dinonaktifkan; aktifkan (PATCH active=true) sebelum mengirim ulang.",
    },
    "detail.delivery-queued": {
        "en": "This delivery is still queued; it will be sent without a replay.",
        "id": "Pengiriman ini masih dalam antrean; akan dikirim tanpa pengiriman ulang.",
    },
    # tasks
    "detail.task-unknown-commitment": {
        "en": "No commitment with this id or code.",
        "id": "Tidak ada komitmen dengan id atau kode ini.",
    },
    "detail.task-unknown-organisation": {
        "en": "No organisation with this id, code or alias.",
        "id": "Tidak ada organisasi dengan id, kode, atau alias ini.",
    },
    "detail.task-duplicate-owner": {
        "en": "This organisation is listed as an owner already.",
        "id": "Organisasi ini sudah tercantum sebagai pemilik.",
    },
    "detail.task-one-lead": {
        "en": "A task has at most one lead owner.",
        "id": "Sebuah tugas paling banyak memiliki satu pemilik utama (lead).",
    },
    "detail.task-unknown-user": {
        "en": "No user with this id.",
        "id": "Tidak ada pengguna dengan id ini.",
    },
    "detail.task-dates": {
        "en": "The start date ({start}) is after the due date ({due}).",
        "id": "Tanggal mulai ({start}) melewati tanggal tenggat ({due}).",
    },
    "detail.task-status-not-patchable": {
        "en": "Status is changed with POST /tasks/{task_id}/transitions, not with PATCH.",
        "id": "Status diubah melalui POST /tasks/{task_id}/transitions, bukan PATCH.",
    },
    "detail.task-contributor-fields": {
        "en": "A contributor may change only progress, not: {fields}.",
        "id": "Kontributor hanya boleh mengubah progress, bukan: {fields}.",
    },
    "detail.task-assignee-filter": {
        "en": "Use a user id, or `me`.",
        "id": "Gunakan id pengguna, atau `me`.",
    },
    # exchange: exports, imports and the calendar feed
    "exchange.rows-invalid": {
        "en": "{count} row(s) have errors, so nothing was imported: see errors.",
        "id": "{count} baris berisi kesalahan, sehingga tidak ada yang diimpor: lihat errors.",
    },
    "exchange.required": {"en": "Required.", "id": "Wajib diisi."},
    "exchange.integer": {"en": "Not a whole number.", "id": "Bukan bilangan bulat."},
    "exchange.date": {
        "en": "Not a date: write YYYY-MM-DD.",
        "id": "Bukan tanggal: tulis TTTT-BB-HH.",
    },
    "exchange.choice": {
        "en": "Unknown value: use one of {choices}.",
        "id": "Nilai tidak dikenal: gunakan salah satu dari {choices}.",
    },
    "exchange.task-id": {"en": "Not a task id (a UUID).", "id": "Bukan id tugas (UUID)."},
    "exchange.unknown-task": {
        "en": "No task with this id.",
        "id": "Tidak ada tugas dengan id ini.",
    },
    "exchange.duplicate-task": {
        "en": "This task is in row {row} already.",
        "id": "Tugas ini sudah ada di baris {row}.",
    },
    "exchange.version-required": {
        "en": "An update needs the task's version, as exported.",
        "id": "Pembaruan memerlukan version tugas, seperti pada hasil ekspor.",
    },
    "exchange.stale": {
        "en": "The task has changed since version {sent}; it is at version {current}: export it "
        "again.",
        "id": "Tugas telah berubah sejak versi {sent}; kini versi {current}: ekspor ulang.",
    },
    "exchange.other-commitment": {
        "en": "A task cannot move to another commitment: create a new task instead.",
        "id": "Tugas tidak dapat dipindahkan ke komitmen lain: buat tugas baru.",
    },
    "exchange.no-owner": {
        "en": "A task needs a lead_owner or support_owners.",
        "id": "Tugas memerlukan lead_owner atau support_owners.",
    },
    "exchange.unknown-user": {
        "en": "No user with this e-mail address.",
        "id": "Tidak ada pengguna dengan alamat e-mail ini.",
    },
    "exchange.unknown-column": {
        "en": "Unknown column: use the columns of the export, and note.",
        "id": "Kolom tidak dikenal: gunakan kolom hasil ekspor, serta note.",
    },
    "exchange.duplicate-column": {
        "en": "This column appears twice.",
        "id": "Kolom ini muncul dua kali.",
    },
    "exchange.empty": {
        "en": "The file is empty: its first row must name the columns.",
        "id": "Berkas kosong: baris pertamanya harus berisi nama kolom.",
    },
    "exchange.too-many-rows": {
        "en": "The file has more than {limit} task rows: split it.",
        "id": "Berkas berisi lebih dari {limit} baris tugas: pecah menjadi beberapa berkas.",
    },
    "exchange.too-many-lines": {
        "en": "The file has more than {limit} rows, blank or not: split it, or delete the empty "
        "rows below the data.",
        "id": "Berkas berisi lebih dari {limit} baris, kosong atau tidak: pecah menjadi beberapa "
        "berkas, atau hapus baris kosong di bawah data.",
    },
    "exchange.too-many-columns": {
        "en": "The file has more than {limit} columns: keep the columns of the export, and note.",
        "id": "Berkas berisi lebih dari {limit} kolom: pertahankan kolom hasil ekspor, serta note.",
    },
    "exchange.unsupported-type": {
        "en": "Send a CSV (text/csv) or XLSX file, as the body or as the multipart field `file`.",
        "id": "Kirim berkas CSV (text/csv) atau XLSX, sebagai isi permintaan atau sebagai isian "
        "multipart `file`.",
    },
    "exchange.old-excel": {
        "en": "This is an old Excel workbook (.xls): save it as .xlsx or as CSV UTF-8.",
        "id": "Ini buku kerja Excel lama (.xls): simpan sebagai .xlsx atau CSV UTF-8.",
    },
    "exchange.encoding": {
        "en": "The CSV is not UTF-8 text: save it as “CSV UTF-8”.",
        "id": "CSV ini bukan teks UTF-8: simpan sebagai “CSV UTF-8”.",
    },
    "exchange.bad-csv": {
        "en": "The CSV cannot be read near line {line}.",
        "id": "CSV tidak dapat dibaca di sekitar baris {line}.",
    },
    "exchange.bad-xlsx": {
        "en": "The file is not a readable XLSX workbook.",
        "id": "Berkas ini bukan buku kerja XLSX yang dapat dibaca.",
    },
    "exchange.xlsx-too-large": {
        "en": "The workbook unpacks to more than {limit} bytes.",
        "id": "Buku kerja ini lebih dari {limit} bita setelah dibuka.",
    },
    "exchange.no-file": {
        "en": "The multipart body has no field named `file`.",
        "id": "Isi multipart tidak memiliki isian bernama `file`.",
    },
    "exchange.bad-multipart": {
        "en": "The multipart body cannot be read: send its boundary and one file, in the field "
        "`file`.",
        "id": "Isi multipart tidak dapat dibaca: kirim boundary-nya dan satu berkas, pada isian "
        "`file`.",
    },
    "exchange.bad-feed-key": {
        "en": "The calendar feed key is unknown, or was replaced.",
        "id": "Kunci umpan kalender tidak dikenal, atau telah diganti.",
    },
    "exchange.calendar-name": {"en": "Pantau deadlines", "id": "Tenggat Pantau"},
    "exchange.calendar-status": {
        "en": "Status: {status} ({progress}%)",
        "id": "Status: {status} ({progress}%)",
    },
    "exchange.calendar-commitment": {
        "en": "Commitment: {code} — {title}",
        "id": "Komitmen: {code} — {title}",
    },
    "exchange.calendar-owners": {"en": "Owners: {owners}", "id": "Pemilik: {owners}"},
    "exchange.calendar-lead": {"en": "{code} (lead)", "id": "{code} (utama)"},
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


# What the API calls its resources, as an Indonesian sentence names them.
ENTITY_NAMES_ID: Mapping[str, str] = {
    "organisation": "organisasi",
    "alias": "alias",
    "plan": "rencana",
    "pillar": "pilar",
    "commitment": "komitmen",
    "report": "laporan",
    "alignment": "keselarasan",
    "task": "tugas",
    "user": "pengguna",
    "token": "token",
    "coordinator": "koordinator",
    "plan_coordinator": "koordinator rencana",
    "webhook": "webhook",
    "delivery": "pengiriman",
    "webhook_delivery": "pengiriman webhook",
    "reminder": "pengingat",
}


def text(key: str, locale: str, **params: object) -> str:
    entry = MESSAGES[key]
    template = entry.get(locale) or entry["en"]
    if locale == "id" and isinstance(params.get("entity"), str):
        params["entity"] = ENTITY_NAMES_ID.get(str(params["entity"]), params["entity"])
    return template.format(**params) if params else template
