# ruff: noqa: E501  (message catalogue: one line per message, as a .po file has it)
"""Gettext translations for the pages: English message ids, Indonesian text.

Interim: the catalogues move to app/locales/<lang>/LC_MESSAGES/messages.po (app.i18n); until
then the Indonesian text of the pages is here, keyed by the English msgid the templates use."""

import gettext
from functools import cache

from app.i18n import SUPPORTED

INDONESIAN: dict[str, str] = {
    "Sign in": "Masuk",
    "Sign out": "Keluar",
    "My work": "Pekerjaan saya",
    "Plans": "Rencana",
    "Dashboard": "Dasbor",
    "Language": "Bahasa",
    "Skip to the content": "Lewati ke konten",
    "Child online protection: action plans": "Pelindungan anak di ranah daring: rencana aksi",
    "E-mail address": "Alamat e-mail",
    "Send me a sign-in link": "Kirimi saya tautan masuk",
    "We e-mail you a link that signs you in; it works once, for 15 minutes.": "Kami mengirim tautan untuk masuk ke e-mail Anda; tautan itu berlaku sekali, selama 15 menit.",
    "Check your e-mail": "Periksa e-mail Anda",
    "If %(email)s belongs to a Pantau account, a sign-in link is on its way. It works once, for 15 minutes.": "Jika %(email)s terdaftar di Pantau, tautan masuk sedang dikirim. Tautan itu berlaku sekali, selama 15 menit.",
    "Sign in to Pantau": "Masuk ke Pantau",
    "Press the button to sign in on this browser.": "Tekan tombol untuk masuk di peramban ini.",
    "Sign in now": "Masuk sekarang",
    "This link cannot sign you in": "Tautan ini tidak dapat digunakan untuk masuk",
    "It has been used already, has expired, or is not a Pantau link. Ask for a new one.": "Tautan ini sudah digunakan, kedaluwarsa, atau bukan tautan Pantau. Mintalah tautan baru.",
    "Ask for a new link": "Minta tautan baru",
    "Too many attempts": "Terlalu banyak percobaan",
    "Too many sign-in links were asked for. Try again in %(minutes)s minutes.": "Terlalu banyak permintaan tautan masuk. Coba lagi dalam %(minutes)s menit.",
    "You may not do this": "Anda tidak boleh melakukan ini",
    "Not found": "Tidak ditemukan",
    "Your role does not allow this.": "Peran Anda tidak mengizinkan ini.",
    "There is nothing at this address.": "Tidak ada apa pun di alamat ini.",
    "This form has expired": "Formulir ini sudah tidak berlaku",
    "The form was not sent from this site, or it is too old. Go back, reload the page and try again.": "Formulir tidak dikirim dari situs ini, atau sudah terlalu lama. Kembali, muat ulang halaman, lalu coba lagi.",
    "Back to my work": "Kembali ke pekerjaan saya",
    "Something is wrong with the request": "Ada yang salah dengan permintaan",
    "Signed in as %(name)s": "Masuk sebagai %(name)s",
    "Hello %(name)s,": "Halo %(name)s,",
    "Open this link to sign in to Pantau. It works once, for %(minutes)s minutes.": "Buka tautan ini untuk masuk ke Pantau. Tautan ini berlaku sekali, selama %(minutes)s menit.",
    "If you did not ask for it, ignore this message.": "Jika Anda tidak memintanya, abaikan pesan ini.",
    # task page
    "Task": "Tugas",
    "Plan": "Rencana",
    "Strategy": "Strategi",
    "Commitment": "Komitmen",
    "Output": "Keluaran",
    "Target year": "Tahun target",
    "Lead organisation": "Organisasi pemimpin",
    "Related organisations": "Organisasi terkait",
    "Owners": "Pemilik",
    "lead": "pemimpin",
    "support": "pendukung",
    "Assignee": "Penanggung jawab",
    "nobody": "tidak ada",
    "Start date": "Tanggal mulai",
    "Due date": "Jatuh tempo",
    "none": "tidak ada",
    "Progress": "Kemajuan",
    "Status": "Status",
    "Schedule": "Jadwal",
    "Priority": "Prioritas",
    "Slips": "Pergeseran",
    "Description": "Deskripsi",
    "Change the status": "Ubah status",
    "Note": "Catatan",
    "A note is needed for this change.": "Perubahan ini memerlukan catatan.",
    "Note for the move to %(status)s": "Catatan untuk perpindahan ke %(status)s",
    "Move to %(status)s": "Pindahkan ke %(status)s",
    "Set progress": "Atur kemajuan",
    "Save progress": "Simpan kemajuan",
    "Add a note": "Tambahkan catatan",
    "Add the note": "Tambahkan catatan",
    "History": "Riwayat",
    "Nothing has happened yet.": "Belum ada kejadian.",
    "created the task": "membuat tugas",
    "added a note": "menambahkan catatan",
    "deleted the task": "menghapus tugas",
    "changed": "mengubah",
    "Change dates": "Ubah tanggal",
    "Reason for the change": "Alasan perubahan",
    "Save the dates": "Simpan tanggal",
    "Owners and assignee": "Pemilik dan penanggung jawab",
    "Lead organisation (code)": "Organisasi pemimpin (kode)",
    "Supporting organisations (codes, comma-separated)": "Organisasi pendukung (kode, dipisahkan koma)",
    "Assignee (e-mail, empty for nobody)": "Penanggung jawab (e-mail, kosongkan jika tidak ada)",
    "Save owners and assignee": "Simpan pemilik dan penanggung jawab",
    "Someone else changed this task": "Orang lain telah mengubah tugas ini",
    "Your form was based on version %(old)s; the task is now at version %(new)s. This is what changed since:": "Formulir Anda berdasarkan versi %(old)s; tugas kini di versi %(new)s. Inilah yang berubah sejak itu:",
    "Nothing of yours was saved. Apply your change again if it still holds:": "Perubahan Anda belum disimpan. Terapkan lagi jika masih berlaku:",
    "Apply my change again": "Terapkan lagi perubahan saya",
    "Saved.": "Tersimpan.",
    "The change was not saved:": "Perubahan tidak disimpan:",
    "New task under this commitment": "Tugas baru untuk komitmen ini",
    "Title": "Judul",
    "Create the task": "Buat tugas",
    # statuses and schedule
    "not started": "belum dimulai",
    "in progress": "sedang berjalan",
    "blocked": "terhambat",
    "completed": "selesai",
    "cancelled": "dibatalkan",
    "no due date": "tanpa tenggat",
    "on track": "sesuai jadwal",
    "due soon": "segera jatuh tempo",
    "overdue": "terlambat",
    "done": "selesai",
    "low": "rendah",
    "medium": "sedang",
    "critical": "kritis",
    "Only the first %(n)s are shown: narrow the filters.": "Hanya %(n)s yang pertama ditampilkan: persempit saringan.",
    "high": "tinggi",
    # my work
    "Tasks assigned to me and tasks of my organisation, overdue first, then due soon.": "Tugas yang ditugaskan kepada saya dan tugas organisasi saya; yang terlambat lebih dulu, lalu yang segera jatuh tempo.",
    "Filter": "Saring",
    "all": "semua",
    "Show": "Tampilkan",
    "No tasks match.": "Tidak ada tugas yang cocok.",
    "Why mine": "Mengapa milik saya",
    "assigned to me": "ditugaskan kepada saya",
    "my organisation": "organisasi saya",
    "More tasks": "Tugas berikutnya",
    # plans
    "Commitments": "Komitmen",
    "Tasks": "Tugas",
    "No tasks yet.": "Belum ada tugas.",
    "Plan-wide": "Seluruh rencana",
    "%(done)s of %(total)s tasks completed": "%(done)s dari %(total)s tugas selesai",
    "Open the plan": "Buka rencana",
    "Where this plan sits": "Letak rencana ini",
    "Where this task sits": "Letak tugas ini",
}


class _Catalogue(gettext.NullTranslations):
    def __init__(self, messages: dict[str, str]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        return self.messages.get(message, message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The translations of a supported language (English: the message ids themselves)."""
    if language not in SUPPORTED or language == "en":
        return gettext.NullTranslations()
    return _Catalogue(INDONESIAN)
